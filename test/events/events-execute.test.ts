import Database from 'better-sqlite3';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';
import { writeConfig } from './project.js';
import { parseMail, startSmtpServer, type TestSmtpServer } from '../mail/smtp-server.js';

/**
 * Events end to end: real `metrix execute` runs of this machine (local transport, the built
 * collector: npm run build), a real SQLite file, a real SMTP server, on a clock that moves only
 * when told. The host is made to fail by opening its key file to others (metrix refuses it).
 */
const MINUTE = 60_000;
const DAY = 1440 * MINUTE;

const servers: TestSmtpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

const config = (dir: string, extra = ''): void => writeConfig(dir, [['master', 'admin'], ['other', 'compute']], extra);

interface JsonEvent {
  id: number;
  time: string;
  ts: number;
  host: string | null;
  kind: string;
  severity: string;
  text: string;
  details: Record<string, unknown>;
}

describe('events recorded by real runs', () => {
  it('down with its reason and up again once each, a reboot, a collector change, an alert firing; listed by metrix events and in the alert mail', async () => {
    const dir = tempDir();
    config(dir);
    let now = Date.parse('2026-06-01T10:00:00Z');
    const clock = () => now;
    const execute = async (expected = 0) => {
      const result = await runCli(dir, ['execute', '-h', 'master'], clock);
      expect(result.code, result.stderr).toBe(expected);
      now += MINUTE;
    };
    const listed = async (...args: string[]): Promise<JsonEvent[]> => {
      const result = await runCli(dir, ['events', '--json', '--since', '30d', ...args], clock);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as JsonEvent[];
    };

    await execute();
    await execute();
    expect(await listed()).toEqual([]); // two good polls: nothing happened

    const key = join(dir, 'keys', 'hosts', 'master.key');
    chmodSync(key, 0o644);
    const downAt = now;
    await execute(1);
    await execute(1);
    await execute(1);
    chmodSync(key, 0o600);
    const upAt = now;
    await execute();
    await execute();
    let events = (await listed('-h', 'master')).map((e) => [e.ts, e.kind, e.severity]);
    expect(events).toEqual([
      [downAt, 'host_down', 'warning'],
      [upAt, 'host_up', 'info'],
    ]);
    const [down] = await listed('--kind', 'host_down');
    expect(down!.text).toMatch(/^not polled, on metrix's side: keys: file .*master\.key is open to group or others/);
    expect(down!.details['reason']).toBe('keys');

    // A day later on the poller's clock, the host's real uptime only seconds more: it booted again.
    now += DAY;
    const rebootAt = now;
    await execute();
    expect((await listed('--kind', 'reboot')).map((e) => e.ts)).toEqual([rebootAt]);

    // The collector that answered last time reported another version (as after an upgrade).
    // The version is host text: it is stored escaped and capped, and shown escaped.
    const db = new Database(join(dir, 'metrix.db'));
    db.prepare("UPDATE polls SET collector = ? WHERE host = 'master' AND ts = (SELECT max(ts) FROM polls WHERE host = 'master')").run('0.0.1<b>\u001b[31m');
    db.close();
    await execute();
    const [upgraded] = await listed('--kind', 'collector_upgraded');
    expect(upgraded!.text).toMatch(/^collector 0\.0\.1<b>\\x1b\[31m -> \S+$/);
    expect(upgraded!.details['from']).toBe('0.0.1<b>\\x1b[31m');

    // An alert fires: its mail lists what happened on the host, escaped.
    const server = await startSmtpServer();
    servers.push(server);
    config(
      dir,
      `  <mail transport="smtp" host="127.0.0.1" port="${server.port}" security="none" from="metrix@example.org" to="ops@example.org"/>
  <alerts><alert name="mem-used" metric="mem_percent" op="&gt;" value="0.5" severity="critical"/></alerts>`,
    );
    const firingAt = now;
    await execute();
    expect(server.received).toHaveLength(1);
    const mail = await parseMail(server.received[0]!.raw);
    const text = mail.text!;
    const section = text.slice(text.indexOf('Recent events on master'));
    // The window starts 6 hours before the alert: the outage a day earlier is left out.
    expect(section.split('\n').slice(0, 4)).toEqual([
      'Recent events on master',
      expect.stringMatching(/^ {2}2026-06-02T10:07:00Z {2}reboot {14}rebooted at about \S+Z \(up \d/),
      '  2026-06-02T10:08:00Z  collector_upgraded  collector 0.0.1<b>\\x1b[31m -> ' + String(upgraded!.details['to']),
      '',
    ]);
    expect(text).not.toContain('\u001b');
    const html = mail.html as string;
    expect(html).toContain('Recent events on master');
    expect(html).toContain('collector 0.0.1&lt;b&gt;\\x1b[31m -&gt; ');
    expect(html).not.toContain('0.0.1<b>');

    // Without -h: metrix's own alert on the refused key file (host "(metrix)") too.
    expect((await listed()).filter((e) => e.host === '(metrix)').map((e) => e.kind)).toEqual(['alert_firing', 'alert_resolved']);
    const all = await listed('-h', 'master');
    expect(all.map((e) => e.kind)).toEqual(['host_down', 'host_up', 'reboot', 'collector_upgraded', 'alert_firing']);
    expect(all.at(-1)).toMatchObject({ ts: firingAt, host: 'master', severity: 'critical', details: { rule: 'mem-used', metric: 'mem_percent' } });
    expect(all.at(-1)!.text).toMatch(/^alert \d{4}-MEM-[0-9a-f]{3} firing: mem_percent is [\d.]+ > 0\.5 \(mem-used\)$/);
    expect(await listed('-g', 'compute')).toEqual([]);
  });
});

describe('metrix events', () => {
  const NOW = Date.parse('2026-06-01T10:00:00Z');

  it('says there is nothing yet, and creates no database, before the first execute', async () => {
    const dir = tempDir();
    config(dir);
    const table = await runCli(dir, ['events'], () => NOW);
    expect(table).toEqual({ code: 0, stdout: '', stderr: `no database yet at ${join(dir, 'metrix.db')}: nothing has happened yet (run "metrix execute")\n` });
    expect((await runCli(dir, ['events', '--json'], () => NOW)).stdout).toBe('[]\n');
    expect((await runCli(dir, ['events', '--format', 'csv'], () => NOW)).stdout).toBe('time,host,kind,severity,text,details\r\n');
    expect(existsSync(join(dir, 'metrix.db'))).toBe(false);
  });

  it('exits 2 with every problem on one line each: unknown host or group, kind, times, limit', async () => {
    const dir = tempDir();
    config(dir);
    const bad = await runCli(dir, ['events', '--kind', 'host_down,rebooted', '--since', 'yesterday', '--until', '2026-02-30', '--limit', '0'], () => NOW);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('--since "yesterday": expected');
    expect(bad.stderr).toContain('--until "2026-02-30":');
    expect(bad.stderr).toContain('--kind "rebooted": expected one of host_down, host_up, reboot,');
    expect(bad.stderr).toContain('--limit "0": expected a whole number of events, at least 1');
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const host = await runCli(dir, ['events', '-h', 'nosuch'], () => NOW);
    expect(host.code).toBe(2);
    expect(host.stderr).toContain('unknown host "nosuch"');
    const order = await runCli(dir, ['events', '--since', '1h', '--until', '2h'], () => NOW);
    expect(order.code).toBe(2);
    expect(order.stderr).toContain('--since is after --until');
    expect(existsSync(join(dir, 'metrix.db'))).toBe(false);
  });
});
