import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ActiveAlert } from '../../src/alerts/evaluate.js';
import { Store } from '../../src/store/store.js';
import { HOUR, MIN, rule } from '../alerts/fixtures.js';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';
import { writeConfig } from './project.js';

/** `metrix events` and `metrix silence` against a real SQLite file, on a fixed clock. */
const NOW = Date.parse('2026-11-22T08:00:00Z');

function project(): string {
  const dir = tempDir();
  writeConfig(dir, [['f4', 'rack1'], ['f5', 'rack2']], '  <alerts><alert name="high-cpu" metric="cpu_percent" op="&gt;" value="90"/></alerts>');
  return dir;
}

function withStore(dir: string, use: (store: Store) => void): void {
  const store = Store.open(join(dir, 'metrix.db'));
  try {
    use(store);
  } finally {
    store.close();
  }
}

const cli = (dir: string, args: readonly string[], now = NOW) => runCli(dir, args, () => now, { USER: 'alice' });

describe('metrix events output', () => {
  it('table, CSV and JSON of the same events; host text escaped in the table and cut to 100 characters', async () => {
    const dir = project();
    withStore(dir, (store) => {
      store.events.add({ ts: NOW - 2 * HOUR, host: 'f4', kind: 'host_down', severity: 'critical', text: 'down: ssh: banner "\u001b]0;pwned\u0007", then\nINFO forged', details: { reason: 'ssh' } });
      store.events.add({ ts: NOW - HOUR, host: 'f5', kind: 'reboot', severity: 'warning', text: `rebooted ${'x'.repeat(200)}` });
      store.events.add({ ts: NOW - 30 * MIN, host: undefined, kind: 'silence_added', severity: 'info', text: 'silence #1 by bob: rule high-cpu: kernel update' });
      store.events.add({ ts: NOW - 2 * 86_400_000, host: 'f4', kind: 'host_up', severity: 'info', text: 'old' });
    });
    const table = await cli(dir, ['events']);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toBe('time                  host  kind           severity  what');
    expect(lines[1]).toBe('2026-11-22T06:00:00Z  f4    host_down      critical  down: ssh: banner "\\x1b]0;pwned\\x07", then\\nINFO forged');
    expect(lines[2]).toMatch(/^2026-11-22T07:00:00Z {2}f5 {4}reboot {9}warning {3}rebooted x+…$/);
    expect(lines[2]!.length).toBe(lines[2]!.indexOf('rebooted') + 100);
    expect(lines[3]).toBe('2026-11-22T07:30:00Z  *     silence_added  info      silence #1 by bob: rule high-cpu: kernel update');
    expect(lines).toHaveLength(5); // the 2-day-old event is before the default --since 1d

    const csv = await cli(dir, ['events', '--format', 'csv', '--kind', 'host_down']);
    expect(csv.stdout).toBe(
      'time,host,kind,severity,text,details\r\n' +
        '2026-11-22T06:00:00Z,f4,host_down,critical,"down: ssh: banner ""\\x1b]0;pwned\\x07"", then\\nINFO forged","{""reason"":""ssh""}"\r\n',
    );
    const json = JSON.parse((await cli(dir, ['events', '--json', '--since', '3d', '--limit', '2'])).stdout) as unknown[];
    expect(json).toEqual([
      { id: 2, time: '2026-11-22T07:00:00Z', ts: NOW - HOUR, host: 'f5', kind: 'reboot', severity: 'warning', text: `rebooted ${'x'.repeat(200)}`, details: {} },
      { id: 3, time: '2026-11-22T07:30:00Z', ts: NOW - 30 * MIN, host: null, kind: 'silence_added', severity: 'info', text: 'silence #1 by bob: rule high-cpu: kernel update', details: {} },
    ]);
    const rack1 = JSON.parse((await cli(dir, ['events', '--json', '-g', 'rack1'])).stdout) as Array<{ host: string | null }>;
    expect(rack1.map((e) => e.host)).toEqual(['f4', null]); // the group's host, and the fleet-wide silence
    const window = await cli(dir, ['events', '--since', '2026-11-22T06:30', '--until', '2026-11-22T07:10Z', '--kind', 'reboot', '--kind', 'host_down,host_up']);
    expect(window.stdout.split('\n').slice(1, -1).map((line) => line.split(/\s+/)[2])).toEqual(['reboot']);
    const none = await cli(dir, ['events', '--since', '5m']);
    expect(none).toEqual({ code: 0, stdout: '', stderr: 'no events from 2026-11-22T07:55:00Z to 2026-11-22T08:00:00Z\n' });
  });
});

describe('events of silences and alerts', () => {
  it('silence add and remove record theirs at once; a silence that runs out is recorded once, at its end, by the next alerting', async () => {
    const dir = project();
    expect((await cli(dir, ['silence', 'add', '-h', 'f4', '--for', '2h', '--comment', 'kernel update'])).code).toBe(0);
    expect((await cli(dir, ['silence', 'add', '--rule', 'high-cpu', '--for', '1h', '--comment', 'noisy'])).code).toBe(0);
    expect((await cli(dir, ['silence', 'remove', '1'], NOW + 10 * MIN)).code).toBe(0);
    // The second one runs out at NOW + 1h; alerting after that records it, and only once.
    withStore(dir, (store) => {
      store.transaction(() => expect(store.silences.recordRunOut(NOW + 2 * HOUR)).toBe(1));
      store.transaction(() => expect(store.silences.recordRunOut(NOW + 3 * HOUR)).toBe(0));
    });
    const json = JSON.parse((await cli(dir, ['events', '--json'], NOW + 3 * HOUR)).stdout) as Array<Record<string, unknown>>;
    expect(json.map((e) => [e['ts'], e['host'], e['kind'], e['text']])).toEqual([
      [NOW, 'f4', 'silence_added', 'silence #1 by alice until 2026-11-22T10:00:00Z: host f4: kernel update'],
      [NOW, null, 'silence_added', 'silence #2 by alice until 2026-11-22T09:00:00Z: rule high-cpu: noisy'],
      [NOW + 10 * MIN, 'f4', 'silence_ended', 'silence #1 removed: host f4: kernel update'],
      [NOW + HOUR, null, 'silence_ended', 'silence #2 ran out: rule high-cpu: noisy'],
    ]);
    expect(json[2]!['details']).toMatchObject({ silence: 1, removed: true, by: 'alice' });
  });

  it('an alert firing and resolving records both, with the rule severity, in the transaction that stores them', async () => {
    const dir = project();
    const r = rule({ severity: 'critical' });
    const firing: ActiveAlert = { rule: r.name, host: 'f4', labels: { cpu: 'all' }, code: '3011-CPU-abc', status: 'firing', activeSince: NOW - 5 * MIN, firingSince: NOW, clearingSince: undefined, value: 97.25 };
    withStore(dir, (store) => {
      store.alerts.save(r, [firing], [{ kind: 'firing', alert: firing }], []);
      store.alerts.save(r, [], [{ kind: 'resolved', alert: firing, resolvedAt: NOW + 20 * MIN, value: 40 }], []);
      expect(() => store.transaction(() => {
        store.alerts.save(r, [firing], [{ kind: 'firing', alert: { ...firing, code: 'lost' } }], []);
        throw new Error('died');
      })).toThrow('died');
    });
    const json = JSON.parse((await cli(dir, ['events', '--json'], NOW + HOUR)).stdout) as Array<Record<string, unknown>>;
    expect(json.map((e) => [e['ts'], e['host'], e['kind'], e['severity'], e['text']])).toEqual([
      [NOW, 'f4', 'alert_firing', 'critical', 'alert 3011-CPU-abc firing: cpu_percent{cpu=all} is 97.3 > 90 (high-cpu)'],
      [NOW + 20 * MIN, 'f4', 'alert_resolved', 'info', 'alert 3011-CPU-abc resolved: cpu_percent{cpu=all} is 40 (high-cpu)'],
    ]);
    expect(json[0]!['details']).toEqual({ code: '3011-CPU-abc', rule: 'high-cpu', metric: 'cpu_percent', labels: 'cpu=all', value: 97.25 });
  });
});
