import Database from 'better-sqlite3';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Sample } from '../../client-script/src/protocol.js';
import type { ActiveAlert } from '../../src/alerts/evaluate.js';
import type { PollRecord } from '../../src/poll/records.js';
import { Store } from '../../src/store/store.js';
import { HOUR, MIN, rule } from '../alerts/fixtures.js';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';

/** `metrix hosts` against real SQLite files written through the Store, on a fixed clock. */
const NOW = Date.parse('2026-11-22T08:00:00Z');
const DAY = 24 * HOUR;
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

interface ConfigHost {
  readonly name: string;
  readonly groups?: string;
}

/** A project directory whose config lists `hosts` (local transport: no keys or SSH needed to load it). */
function project(hosts: readonly ConfigHost[]): string {
  const dir = tempDir();
  const lines = hosts.map((h) => `<host name="${h.name}" transport="local"${h.groups ? ` groups="${h.groups}"` : ''}/>`);
  writeFileSync(join(dir, 'config.xml'), `<metrix>\n  <settings database="./metrix.db" keys="./keys"/>\n  <hosts>\n    ${lines.join('\n    ')}\n  </hosts>\n</metrix>\n`);
  return dir;
}

const up = (host: string, ts: number, samples: readonly Sample[] = [], warnings?: string[]): PollRecord => ({
  host, ts, durationMs: 300, failure: undefined, collector: '0.1.0', samples: [{ m: 'host_up', v: 1 }, ...samples], ...(warnings ? { warnings } : {}),
});
const down = (host: string, ts: number, message = 'ssh: connect ECONNREFUSED', reason: 'unreachable' | 'auth' = 'unreachable'): PollRecord => ({
  host, ts, durationMs: 2000, failure: { reason, message }, collector: undefined, samples: [{ m: 'host_up', v: 0 }],
});
const vitals = (cpu: number, mem: number, load1: number, disks: Record<string, number> = { '/': 40 }): Sample[] => [
  { m: 'cpu_percent', v: cpu },
  { m: 'mem_percent', v: mem },
  { m: 'load1', v: load1 },
  { m: 'load5', v: 99 },
  ...Object.entries(disks).map(([mount, v]) => ({ m: 'disk_used_percent', v, l: { mount } })),
];

/** Opens the project's store for writing, runs `fill`, closes it. */
function store(dir: string, fill: (s: Store) => void): void {
  const s = Store.open(join(dir, 'metrix.db'));
  try {
    fill(s);
  } finally {
    s.close();
  }
}

const run = (s: Store, ...polls: PollRecord[]): void => void s.writeRun({ startedAt: polls[0]!.ts, finishedAt: polls[0]!.ts, polls });

/** Stores one firing alert of a rule named `name` on `host`. */
function fire(s: Store, name: string, host: string, code: string, labels: Record<string, string> = {}, metric = 'cpu_percent'): ActiveAlert {
  const alert: ActiveAlert = { rule: name, host, labels, code, status: 'firing', activeSince: NOW - 20 * MIN, firingSince: NOW - 15 * MIN, clearingSince: undefined, value: 95 };
  s.alerts.save(rule({ name, metric }), [alert], [], []);
  return alert;
}

const hostsCli = (dir: string, ...args: string[]) => runCli(dir, ['hosts', ...args], () => NOW);

interface JsonLine {
  host: string;
  groups: string[];
  state: string;
  reason: string | null;
  message: string | null;
  warnings: string | null;
  last_seen: string | null;
  last_poll: string | null;
  cpu_percent: number | null;
  mem_percent: number | null;
  disk_used_percent: number | null;
  disk_mount: string | null;
  load1: number | null;
  alerts: Array<{ code: string; rule: string; metric: string; labels: Record<string, string>; severity: string; value: number; firing_since: string; muted: string | null }>;
}

async function json(dir: string, ...args: string[]): Promise<JsonLine[]> {
  const result = await hostsCli(dir, '--json', ...args);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as JsonLine[];
}

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const field = /(?:"((?:[^"]|"")*)"|([^",\r\n]*))(,|\r\n|$)/gy;
  let row: string[] = [];
  while (field.lastIndex < text.length) {
    const match = field.exec(text);
    if (!match) throw new Error(`not CSV at ${field.lastIndex}: ${JSON.stringify(text.slice(field.lastIndex, field.lastIndex + 20))}`);
    row.push(match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]!);
    if (match[3] !== ',') {
      rows.push(row);
      row = [];
    }
  }
  return rows;
}

afterEach(() => vi.restoreAllMocks());

describe('metrix hosts', () => {
  it('lists down hosts first, then hosts up with firing alerts, then the rest, by name within each (n2 before n10)', async () => {
    const dir = project([
      { name: 'calm' }, { name: 'n10' }, { name: 'zdown' }, { name: 'n2' }, { name: 'adown' }, { name: 'hot' }, { name: 'fresh' }, { name: 'burning' },
    ]);
    store(dir, (s) => {
      run(s, ...['calm', 'n10', 'zdown', 'n2', 'adown', 'hot', 'burning'].map((h) => up(h, NOW - 2 * MIN, vitals(10, 20, 0.5))));
      run(s, up('calm', NOW - MIN), up('n10', NOW - MIN), down('zdown', NOW - MIN), up('n2', NOW - MIN), down('adown', NOW - MIN), up('hot', NOW - MIN), up('burning', NOW - MIN));
      fire(s, 'high-cpu', 'hot', 'A1');
      fire(s, 'high-cpu', 'burning', 'A2');
      fire(s, 'high-cpu', 'zdown', 'A3'); // down outranks alerting
    });
    const lines = await json(dir);
    expect(lines.map((line) => [line.host, line.state])).toEqual([
      ['adown', 'down'], ['zdown', 'down'],
      ['burning', 'up'], ['hot', 'up'],
      ['calm', 'up'], ['fresh', 'never polled'], ['n2', 'up'], ['n10', 'up'],
    ]);
  });

  it('shows a down host with its last failure and when it last answered, days ago, with the values of that last good poll', async () => {
    const dir = project([{ name: 'f4', groups: 'compute,rack3' }, { name: 'f5', groups: 'compute' }, { name: 'ghost' }]);
    store(dir, (s) => {
      run(s, up('f4', NOW - 4 * DAY, vitals(80, 90, 7, { '/': 95 })), up('f5', NOW - 4 * DAY, vitals(1, 1, 1)));
      run(s, up('f4', NOW - 3 * DAY - 2 * HOUR, vitals(12.5, 40.1, 0.52, { '/': 30, '/scratch': 71 })), up('f5', NOW - 3 * DAY, vitals(1, 1, 1)));
      for (let t = NOW - 3 * DAY; t < NOW; t += 6 * HOUR) run(s, down('f4', t, 'ssh: connect ECONNRESET'), up('f5', t, vitals(2, 3, 0.25)));
      run(s, down('f4', NOW - 45_000), up('f5', NOW - 42_000, vitals(3.25, 22, 0.1)), down('ghost', NOW - 45_000, 'All configured authentication methods failed', 'auth'));
    });
    const [f4, ghost, f5] = await json(dir);
    expect(f4).toMatchObject({
      host: 'f4', groups: ['compute', 'rack3'], state: 'down', reason: 'unreachable', message: 'ssh: connect ECONNREFUSED',
      last_seen: iso(NOW - 3 * DAY - 2 * HOUR), last_poll: iso(NOW - 45_000),
      cpu_percent: 12.5, mem_percent: 40.1, load1: 0.52, disk_used_percent: 71, disk_mount: '/scratch',
    });
    expect(ghost).toMatchObject({ host: 'ghost', state: 'down', reason: 'auth', last_seen: null, cpu_percent: null, disk_used_percent: null });
    expect(f5).toMatchObject({ host: 'f5', state: 'up', reason: null, message: null, last_seen: iso(NOW - 42_000), cpu_percent: 3.25 });

    const result = await hostsCli(dir);
    const table = result.stdout.split('\n');
    // The newest poll of all (f5's, 42 s ago): how a poller that stopped shows.
    expect(result.stderr).toBe(`last poll of any host: 42s ago (${iso(NOW - 42_000).replace(/\.\d+Z$/, 'Z')})\n`);
    expect(table[0]).toMatch(/^host\s+groups\s+state\s+last seen\s+cpu%\s+mem%\s+fullest disk\s+load1\s+alerts\s+why$/);
    expect(table[1]).toMatch(/^f4\s+compute,rack3\s+down\s+3d 2h ago\s+12\.5\s+40\.1\s+71% \/scratch\s+0\.52\s+unreachable: ssh: connect ECONNREFUSED$/);
    expect(table[2]).toMatch(/^ghost\s+down\s+never\s+auth: All configured authentication methods failed$/);
    expect(table[3]).toMatch(/^f5\s+compute\s+up\s+42s ago\s+3\.3\s+22\s+40% \/\s+0\.1$/);
  });

  it('picks the fullest disk across the mounts of the latest good poll, not of an older one', async () => {
    const dir = project([{ name: 'f4' }]);
    store(dir, (s) => {
      run(s, up('f4', NOW - 2 * MIN, vitals(1, 1, 1, { '/': 10, '/tmp': 99.9 })));
      run(s, up('f4', NOW - MIN, vitals(1, 1, 1, { '/': 40, '/home': 77, '/scratch': 91.5, '/var': 12 })));
    });
    const [f4] = await json(dir);
    expect([f4!.disk_used_percent, f4!.disk_mount]).toEqual([91.5, '/scratch']);
  });

  it('lists firing alerts with their rules, and neither resolved ones nor other hosts\' ones', async () => {
    const dir = project([{ name: 'f4' }, { name: 'f5' }]);
    store(dir, (s) => {
      run(s, up('f4', NOW - MIN, vitals(97, 50, 30)), up('f5', NOW - MIN, vitals(1, 1, 1)));
      fire(s, 'high-cpu', 'f4', 'C-CPU');
      fire(s, 'disk-full', 'f4', 'C-D1', { mount: '/scratch' }, 'disk_used_percent');
      fire(s, 'disk-full', 'f4', 'C-D2', { mount: '/tmp' }, 'disk_used_percent');
      const mem = fire(s, 'high-mem', 'f4', 'C-MEM', {}, 'mem_percent');
      s.alerts.save(rule({ name: 'high-mem', metric: 'mem_percent' }), [], [{ kind: 'resolved', alert: mem, resolvedAt: NOW - 5 * MIN, value: 50 }], []);
      fire(s, 'high-load', 'f9-not-configured', 'C-OTHER', {}, 'load1');
    });
    const [f4, f5] = await json(dir);
    expect(f4!.alerts.map((alert) => [alert.code, alert.rule])).toEqual([['C-D1', 'disk-full'], ['C-D2', 'disk-full'], ['C-CPU', 'high-cpu']]);
    expect(f4!.alerts[0]).toEqual({
      code: 'C-D1', rule: 'disk-full', metric: 'disk_used_percent', labels: { mount: '/scratch' }, severity: 'warning', value: 95, firing_since: iso(NOW - 15 * MIN), muted: null,
    });
    expect(f5!.alerts).toEqual([]);
    const table = (await hostsCli(dir)).stdout;
    expect(table).toMatch(/^f4 .* 3: disk-full, high-cpu$/m);
    expect(table).not.toMatch(/high-mem|high-load/);
    const csv = parseCsv((await hostsCli(dir, '--format', 'csv')).stdout);
    expect(csv.map((row) => [row[0], row[13], row[14]])).toEqual([['host', 'alerts', 'alert_rules'], ['f4', '3', 'disk-full,high-cpu'], ['f5', '0', '']]);
  });

  it('shows only the hosts named by -h and -g, and refuses unknown names with exit 2', async () => {
    const dir = project([{ name: 'a1', groups: 'gpu' }, { name: 'a2', groups: 'gpu' }, { name: 'b1', groups: 'cpu' }, { name: 'b2' }, { name: 'c1', groups: 'cpu' }]);
    store(dir, (s) => run(s, ...['a1', 'a2', 'b1', 'b2', 'c1'].map((h) => down(h, NOW - MIN))));
    expect((await json(dir, '-g', 'gpu', '-h', 'b2')).map((line) => line.host)).toEqual(['a1', 'a2', 'b2']);
    expect((await json(dir, '-h', 'c1')).map((line) => line.host)).toEqual(['c1']);
    expect((await json(dir)).map((line) => line.host)).toEqual(['a1', 'a2', 'b1', 'b2', 'c1']);
    const unknownHost = await hostsCli(dir, '-h', 'nope');
    expect([unknownHost.code, unknownHost.stdout]).toEqual([2, '']);
    expect(unknownHost.stderr).toMatch(/unknown host "nope"/);
    const unknownGroup = await hostsCli(dir, '-g', 'racks');
    expect(unknownGroup.code).toBe(2);
    expect(unknownGroup.stderr).toMatch(/unknown group "racks"/);
  });

  it('exits 2 on a bad config, as the other commands do', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.xml'), '<metrix><hosts><host name="a" transport="local" colour="red"/></hosts></metrix>');
    const result = await hostsCli(dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/colour/);
  });

  it('quotes a hostile failure message in CSV (RFC 4180) and keeps it whole', async () => {
    const hostile = 'ssh: "refused", said\r\nthe host,\nINFO [f5] ok, "all" good';
    const dir = project([{ name: 'f4' }, { name: 'f5' }]);
    store(dir, (s) => run(s, down('f4', NOW - MIN, hostile), up('f5', NOW - MIN, vitals(1, 2, 3, { '/a,"b"': 50 }), ['filesystem: /nfs: "stale", handle'])));
    const result = await hostsCli(dir, '--format', 'csv');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"ssh: ""refused"", said\r\nthe host,\nINFO [f5] ok, ""all"" good"');
    const rows = parseCsv(result.stdout);
    expect(rows).toEqual([
      ['host', 'groups', 'state', 'reason', 'message', 'warnings', 'last_seen', 'last_poll', 'cpu_percent', 'mem_percent', 'disk_used_percent', 'disk_mount', 'load1', 'alerts', 'alert_rules'],
      ['f4', '', 'down', 'unreachable', hostile, '', '', iso(NOW - MIN), '', '', '', '', '', '0', ''],
      ['f5', '', 'up', '', '', 'filesystem: /nfs: "stale", handle', iso(NOW - MIN), iso(NOW - MIN), '1', '2', '50', '/a,"b"', '3', '0', ''],
    ]);
  });

  it('prints JSON as data: one object per host, times in UTC, absent values null', async () => {
    const dir = project([{ name: 'f4', groups: 'compute' }, { name: 'new1' }]);
    store(dir, (s) => {
      run(s, up('f4', NOW - 90_500, vitals(33.3, 44.4, 1.5, { '/': 60, '/data': 61 }), ['gpu: nvidia-smi not found']));
      fire(s, 'high-load', 'f4', 'L1', {}, 'load1');
    });
    expect(await json(dir)).toEqual([
      {
        host: 'f4', groups: ['compute'], state: 'up', reason: null, message: null, warnings: 'gpu: nvidia-smi not found',
        last_seen: '2026-11-22T07:58:29.500Z', last_poll: '2026-11-22T07:58:29.500Z',
        cpu_percent: 33.3, mem_percent: 44.4, disk_used_percent: 61, disk_mount: '/data', load1: 1.5,
        alerts: [{ code: 'L1', rule: 'high-load', metric: 'load1', labels: {}, severity: 'warning', value: 95, firing_since: iso(NOW - 15 * MIN), muted: null }],
      },
      {
        host: 'new1', groups: [], state: 'never polled', reason: null, message: null, warnings: null, last_seen: null, last_poll: null,
        cpu_percent: null, mem_percent: null, disk_used_percent: null, disk_mount: null, load1: null, alerts: [],
      },
    ]);
    const table = (await hostsCli(dir)).stdout;
    expect(table).toMatch(/^f4\s+compute\s+up\s+1m 31s ago\s+33\.3\s+44\.4\s+61% \/data\s+1\.5\s+1: high-load\s+warning: gpu: nvidia-smi not found$/m);
    expect(table).toMatch(/^new1\s+never polled$/m);
  });

  it('escapes control characters from hosts in the table and cuts a long message there, not in JSON', async () => {
    const forged = 'refused\n2026-11-22T08:00:00Z INFO [f5] ok\x1b[2J\u202egnp.exe\x07';
    const long = `collector failed: ${'x'.repeat(5000)}`;
    const bells = '\x07'.repeat(90); // 90 characters, 360 once escaped: the cut counts what is shown
    const dir = project([{ name: 'f4' }, { name: 'f5' }, { name: 'f6' }, { name: 'f7' }]);
    store(dir, (s) =>
      run(s, down('f4', NOW - MIN, forged), up('f5', NOW - MIN, vitals(1, 1, 1, { '/mnt/\x1b]0;pwned\x07': 99 })), down('f6', NOW - MIN, long), down('f7', NOW - MIN, bells)),
    );
    const { stdout, code } = await hostsCli(dir);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f\u202e]/);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toContain('unreachable: refused\\n2026-11-22T08:00:00Z INFO [f5] ok\\x1b[2J\\u202egnp.exe\\x07');
    expect(lines[2]).toMatch(/^f6 .*unreachable: collector failed: x+…$/);
    expect(lines[3]).toMatch(/^f7 .*unreachable: (\\x07)+\\?x?0?…$/);
    for (const line of lines.slice(1, 4)) expect(line.slice(line.indexOf('unreachable: ')).length).toBeLessThanOrEqual(100);
    expect(lines[4]).toContain('99% /mnt/\\x1b]0;pwned\\x07');
    const f6 = (await json(dir)).find((line) => line.host === 'f6');
    expect(f6!.message).toBe(long);
  });

  it('shows every host "never polled" when there is no database yet, and does not create one', async () => {
    const dir = project([{ name: 'b' }, { name: 'a', groups: 'compute' }]);
    const result = await hostsCli(dir, '--format', 'json');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/no database yet at .*metrix\.db/);
    expect((JSON.parse(result.stdout) as JsonLine[]).map((line) => [line.host, line.state])).toEqual([['a', 'never polled'], ['b', 'never polled']]);
    expect((await hostsCli(dir)).stdout).toMatch(/^host .*\na\s+compute\s+never polled\nb\s+never polled\n$/);
    expect(existsSync(join(dir, 'metrix.db'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['config.xml']);
  });

  it('prepares its statements once per call, however many hosts', async () => {
    const preparesFor = async (count: number): Promise<number> => {
      const names = Array.from({ length: count }, (_, i) => `h${i}`);
      const dir = project(names.map((name) => ({ name })));
      store(dir, (s) => {
        run(s, ...names.map((h) => up(h, NOW - 2 * MIN, vitals(1, 1, 1))));
        run(s, ...names.map((h, i) => (i % 2 ? down(h, NOW - MIN) : up(h, NOW - MIN, vitals(2, 2, 2)))));
      });
      const prepare = vi.spyOn(Database.prototype, 'prepare');
      const lines = await json(dir);
      expect(lines.filter((line) => line.cpu_percent !== null)).toHaveLength(count);
      const calls = prepare.mock.calls.length;
      prepare.mockRestore();
      return calls;
    };
    expect(await preparesFor(40)).toBe(await preparesFor(2));
  });

  it('is right at 1,000 hosts × 40 series with history: values from each host\'s own latest good poll', async () => {
    const HOSTS = 1000;
    const names = Array.from({ length: HOSTS }, (_, i) => `node${String(i).padStart(4, '0')}`);
    const dir = project(names.map((name, i) => ({ name, groups: i % 2 ? 'odd' : 'even' })));
    const isNever = (i: number): boolean => i % 13 === 0;
    const isDown = (i: number): boolean => !isNever(i) && i % 7 === 0;
    const isAlerting = (i: number): boolean => !isNever(i) && !isDown(i) && i % 11 === 0;
    // 35 series besides the vitals: mounts and interfaces, as a real host has.
    const samples = (i: number, run: number): Sample[] => [
      ...vitals(run * 10 + (i % 10), 50 + run, i / 100, { '/': 10 + run, [`/data${i % 5}`]: 20 + (i % 50) + run }),
      ...Array.from({ length: 15 }, (_, k) => ({ m: 'disk_used_percent', v: k, l: { mount: `/mnt/${k}` } })),
      ...Array.from({ length: 18 }, (_, k) => ({ m: 'net_rx_bytes_per_sec', v: 1000 * k + i, l: { iface: `eth${k}` } })),
    ];
    store(dir, (s) => {
      for (let r = 0; r < 4; r++) {
        const ts = NOW - (4 - r) * MIN;
        run(s, ...names.flatMap((h, i) => (isNever(i) ? [] : [r === 3 && isDown(i) ? down(h, ts, `ssh: ${h} gone`) : up(h, ts, samples(i, r))])));
      }
      for (const [i, h] of names.entries()) if (isAlerting(i)) fire(s, 'high-cpu', h, `X${i}`);
    });
    const lines = await json(dir);
    expect(lines).toHaveLength(HOSTS);
    const index = (line: JsonLine): number => Number(line.host.slice(4));
    const expectedOrder = [...names.keys()].sort((a, b) => Number(!isDown(a)) - Number(!isDown(b)) || Number(!isAlerting(a)) - Number(!isAlerting(b)) || a - b);
    expect(lines.map(index)).toEqual(expectedOrder);
    for (const line of lines) {
      const i = index(line);
      const run = isDown(i) ? 2 : 3;
      if (isNever(i)) {
        expect(line).toMatchObject({ state: 'never polled', last_seen: null, cpu_percent: null, alerts: [] });
        continue;
      }
      expect(line).toMatchObject({
        state: isDown(i) ? 'down' : 'up',
        groups: [i % 2 ? 'odd' : 'even'],
        message: isDown(i) ? `ssh: ${line.host} gone` : null,
        last_seen: iso(NOW - (4 - run) * MIN),
        cpu_percent: run * 10 + (i % 10),
        mem_percent: 50 + run,
        load1: i / 100,
        disk_used_percent: 20 + (i % 50) + run,
        disk_mount: `/data${i % 5}`,
      });
      expect(line.alerts.map((alert) => alert.code)).toEqual(isAlerting(i) ? [`X${i}`] : []);
    }
  });
});
