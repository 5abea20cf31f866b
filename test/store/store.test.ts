import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { Store } from '../../src/store/store.js';
import type { PollRecord } from '../../src/poll/records.js';
import { tmpdir } from 'node:os';
import { tempDir } from '../helpers/tmp.js';

const dbPath = (): string => join(tempDir(), 'metrix.db');

const poll = (host: string, ts: number, samples: PollRecord['samples'], failure?: PollRecord['failure']): PollRecord => ({
  host,
  ts,
  durationMs: 120,
  failure,
  collector: failure ? undefined : '0.1.0',
  samples,
});

describe('Store', () => {
  it('creates the schema in WAL mode with a busy timeout', () => {
    const db = openDatabase(dbPath());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    db.close();
  });

  it('writes a run and reads ranges back per label set', () => {
    const path = dbPath();
    const store = Store.open(path);
    store.writeRun({
      startedAt: 0,
      finishedAt: 10,
      polls: [
        poll('f4', 1000, [{ m: 'disk_used_percent', v: 40, l: { mount: '/' } }, { m: 'disk_used_percent', v: 70, l: { mount: '/data' } }]),
        poll('f5', 1000, [{ m: 'host_up', v: 0 }], { reason: 'unreachable', message: 'connect ECONNREFUSED' }),
      ],
    });
    store.writeRun({ startedAt: 60_000, finishedAt: 60_010, polls: [poll('f4', 61_000, [{ m: 'disk_used_percent', v: 41, l: { mount: '/' } }])] });
    const ranges = store.range({ host: 'f4', metric: 'disk_used_percent', since: 0, until: 100_000 });
    expect(ranges).toEqual([
      { labels: { mount: '/' }, points: [{ ts: 1000, value: 40 }, { ts: 61_000, value: 41 }] },
      { labels: { mount: '/data' }, points: [{ ts: 1000, value: 70 }] },
    ]);
    expect(store.range({ host: 'f4', metric: 'disk_used_percent', since: 2000, until: 100_000 })[0]!.points).toHaveLength(1);
    const raw = new Database(path, { readonly: true });
    const polls = raw.prepare('SELECT host, ok, reason, message FROM polls ORDER BY rowid').all();
    raw.close();
    expect(polls).toEqual([
      { host: 'f4', ok: 1, reason: null, message: null },
      { host: 'f5', ok: 0, reason: 'unreachable', message: 'connect ECONNREFUSED' },
      { host: 'f4', ok: 1, reason: null, message: null },
    ]);
    store.close();
  });

  it('remembers the last counters of a host and their time', () => {
    const store = Store.open(dbPath());
    expect(store.lastCounters('f4')).toBeUndefined();
    store.writeRun({ startedAt: 0, finishedAt: 1, polls: [poll('f4', 1000, [{ m: 'cpu_total_jiffies', v: 10 }, { m: 'load1', v: 1 }])] });
    store.writeRun({ startedAt: 0, finishedAt: 1, polls: [poll('f4', 2000, [{ m: 'cpu_total_jiffies', v: 20 }, { m: 'net_rx_bytes_total', v: 5, l: { iface: 'eth0' } }])] });
    expect(store.lastCounters('f4')).toEqual({
      ts: 2000,
      counters: [{ m: 'cpu_total_jiffies', v: 20, l: {} }, { m: 'net_rx_bytes_total', v: 5, l: { iface: 'eth0' } }],
    });
    store.close();
  });

  it('leaves nothing of a run whose write fails half-way', () => {
    const path = dbPath();
    const store = Store.open(path);
    store.writeRun({ startedAt: 0, finishedAt: 1, polls: [poll('f4', 1000, [{ m: 'load1', v: 1 }])] });
    const broken = { m: 'load1', v: null as unknown as number };
    expect(() => store.writeRun({ startedAt: 2, finishedAt: 3, polls: [poll('f4', 2000, [{ m: 'load5', v: 2 }]), poll('f5', 2000, [broken])] })).toThrow();
    store.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM sample_rows').get()).toEqual({ n: 1 });
    db.close();
    const reader = Store.open(path, { readonly: true });
    expect(reader.range({ host: 'f4', metric: 'load1', since: 0, until: 10_000 })).toEqual([{ labels: {}, points: [{ ts: 1000, value: 1 }] }]);
    expect(reader.range({ host: 'f4', metric: 'load5', since: 0, until: 10_000 })).toEqual([]);
    expect(reader.metricsOf('f5')).toEqual([]);
    reader.close();
  });

  it('merges a second write at the same host and time into its row', () => {
    const store = Store.open(dbPath());
    store.writeSamples('(metrix)', 5000, [{ m: 'metrix_poll_failures', v: 0, l: { reason: 'keys' } }, { m: 'metrix_mail_ok', v: 1 }]);
    store.writeSamples('(metrix)', 5000, [{ m: 'metrix_mail_ok', v: 0 }, { m: 'metrix_poll_failures', v: 2, l: { reason: 'node' } }]);
    const all = (metric: string) => store.range({ host: '(metrix)', metric, since: 0, until: 10_000 });
    expect(all('metrix_mail_ok')).toEqual([{ labels: {}, points: [{ ts: 5000, value: 0 }] }]);
    expect(all('metrix_poll_failures')).toEqual([
      { labels: { reason: 'keys' }, points: [{ ts: 5000, value: 0 }] },
      { labels: { reason: 'node' }, points: [{ ts: 5000, value: 2 }] },
    ]);
    expect(store.lastValue('(metrix)', 'metrix_mail_ok')).toBe(0);
    store.close();
  });

  it('keeps counters at the time the host read them, gauges at the poll time, in one row', () => {
    const path = dbPath();
    const store = Store.open(path);
    const samples = [{ m: 'cpu_total_jiffies', v: 100 }, { m: 'load1', v: 0.5 }, { m: 'net_rx_bytes_total', v: 7, l: { iface: 'eth0' } }];
    store.writeRun({ startedAt: 0, finishedAt: 1, polls: [{ ...poll('f4', 60_000, samples), countersTs: 58_500 }] });
    // Read an hour and more before the report: implausible for one collector run, stored as a row of its own.
    store.writeRun({ startedAt: 0, finishedAt: 1, polls: [{ ...poll('f4', 9_000_000, samples), countersTs: 1_000_000 }] });
    const points = (metric: string, since = 0, until = 10_000_000) => store.range({ host: 'f4', metric, since, until })[0]?.points.map((p) => p.ts);
    expect(points('load1')).toEqual([60_000, 9_000_000]);
    expect(points('cpu_total_jiffies')).toEqual([58_500, 1_000_000]);
    expect(points('cpu_total_jiffies', 0, 59_000)).toEqual([58_500]);
    expect(points('load1', 0, 59_000)).toBeUndefined();
    expect(points('cpu_total_jiffies', 59_000, 100_000)).toBeUndefined();
    expect(store.samplesAt([{ host: 'f4', ts: 60_000 }], ['load1', 'cpu_total_jiffies'])).toEqual(new Map([['f4', [{ m: 'load1', v: 0.5, l: {} }]]]));
    expect(store.lastCounters('f4')).toEqual({ ts: 1_000_000, counters: [{ m: 'cpu_total_jiffies', v: 100, l: {} }, { m: 'net_rx_bytes_total', v: 7, l: { iface: 'eth0' } }] });
    store.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT ts, counters_lag FROM sample_rows ORDER BY ts').all()).toEqual([
      { ts: 60_000, counters_lag: 1500 },
      { ts: 1_000_000, counters_lag: 0 },
      { ts: 9_000_000, counters_lag: 0 },
    ]);
    db.close();
  });

  it('refuses a value that is not a finite number, naming the series', () => {
    const store = Store.open(dbPath());
    expect(() => store.writeSamples('f4', 1, [{ m: 'load1', v: Number.NaN }])).toThrow(/value NaN is not a finite number/);
    expect(() => store.writeSamples('f4', 1, [{ m: 'load1', v: Infinity }])).toThrow(/value Infinity is not a finite number/);
    store.writeSamples('f4', 1, [{ m: 'load1', v: 2 }]);
    expect(store.lastValue('f4', 'load1')).toBe(2);
    store.close();
  });

  it('refuses a database from a newer metrix', () => {
    const path = dbPath();
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => Store.open(path)).toThrow(/schema version \d+, newer than this metrix knows/);
  });

  it('a long-lived reader sees series another connection adds after it first read the metric', () => {
    const path = dbPath();
    const writer = Store.open(path);
    writer.writeRun({ startedAt: 0, finishedAt: 10, polls: [poll('f4', 1000, [{ m: 'disk_used_percent', v: 40, l: { mount: '/' } }, { m: 'cpu_percent', v: 3 }])] });
    expect(writer.range({ host: 'f4', metric: 'disk_used_percent', since: 0, until: 5000 })).toHaveLength(1);
    const reader = Store.open(path, { readonly: true });
    const mounts = (): string[] => reader.range({ host: 'f4', metric: 'disk_used_percent', since: 0, until: 5000 }).map((s) => s.labels['mount']!);
    expect(mounts()).toEqual(['/']);
    writer.writeRun({
      startedAt: 2000,
      finishedAt: 2010,
      polls: [poll('f4', 2000, [{ m: 'disk_used_percent', v: 41, l: { mount: '/' } }, { m: 'disk_used_percent', v: 7, l: { mount: '/scratch' } }, { m: 'cpu_percent', v: 4 }])],
    });
    expect(mounts()).toEqual(['/', '/scratch']);
    expect(reader.range({ host: 'f4', metric: 'disk_used_percent', since: 0, until: 5000 })[1]!.points).toEqual([{ ts: 2000, value: 7 }]);
    // The writer's own new series too (no other connection's commit to tell it).
    writer.writeRun({ startedAt: 3000, finishedAt: 3010, polls: [poll('f4', 3000, [{ m: 'disk_used_percent', v: 1, l: { mount: '/tmp' } }])] });
    expect(writer.range({ host: 'f4', metric: 'disk_used_percent', since: 0, until: 5000 }).map((s) => s.labels['mount'])).toEqual(['/', '/scratch', '/tmp']);
    reader.close();
    writer.close();
  });

  it('opens read-only without creating a missing file', () => {
    expect(() => Store.open(join(tmpdir(), 'metrix-nope', 'none.db'), { readonly: true })).toThrow(/cannot open database .*run "metrix execute" first/);
  });
});
