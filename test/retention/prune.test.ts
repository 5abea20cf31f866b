import Database from 'better-sqlite3';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../client-script/src/protocol.js';
import type { PollRecord } from '../../src/poll/records.js';
import { downsample } from '../../src/query/aggregate.js';
import { readHistory } from '../../src/query/history.js';
import { pruneAfterRun } from '../../src/retention/after-run.js';
import type { RetentionPolicy } from '../../src/retention/policy.js';
import { prune } from '../../src/retention/prune.js';
import { CHUNK_MS } from '../../src/retention/tiers.js';
import { Store } from '../../src/store/store.js';
import { captureIo, runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';

const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const START = Date.parse('2026-01-01T00:00:00Z');
const LAG = 1500;

const policy = (days: { raw: number; m5: number; h1: number }): RetentionPolicy => ({
  rawMs: days.raw * D,
  fiveMinuteMs: days.m5 * D,
  hourlyMs: days.h1 * D,
  pollsMs: days.raw * D,
  sentMailMs: 30 * D,
  resolvedAlertsMs: 365 * D,
  eventsMs: 365 * D,
});

/** Host h's samples at poll i: two gauges, a labelled pair, and a counter read LAG ms before the poll's end. */
function samplesOf(h: number, i: number): Sample[] {
  return [
    { m: 'cpu_percent', v: Math.round(5000 + 4000 * Math.sin(i / 37 + h)) / 100 },
    { m: 'load1', v: Math.round(100 * (i % 13) + h) / 100 },
    { m: 'disk_used_percent', v: Math.round(4000 + i / 10) / 100, l: { mount: '/' } },
    { m: 'disk_used_percent', v: 12.5, l: { mount: '/data' } },
    { m: 'cpu_total_jiffies', v: 1_000_000 + i * 6000 + h },
  ];
}

/** Polls every `everyMs` in [from, to) for `hosts` hosts, one run each. */
function writePolls(store: Store, hosts: number, from: number, to: number, everyMs: number): void {
  for (let ts = from; ts < to; ts += everyMs) {
    const i = (ts - START) / everyMs;
    const polls: PollRecord[] = Array.from({ length: hosts }, (_, h) => ({
      host: `n${h}`,
      ts,
      countersTs: ts - LAG,
      durationMs: 100,
      failure: undefined,
      collector: 'test',
      samples: samplesOf(h, i),
    }));
    store.writeRun({ startedAt: ts - 200, finishedAt: ts + 10, polls });
  }
}

/** What the history of one series over [from, to) holds when polls from `from` to `to` were written and nothing was removed. */
function expected(h: number, metric: string, from: number, to: number, everyMs: number): Array<{ ts: number; value: number }> {
  const points: Array<{ ts: number; value: number }> = [];
  for (let ts = from; ts < to; ts += everyMs) {
    const sample = samplesOf(h, (ts - START) / everyMs).find((s) => s.m === metric)!;
    const t = metric === 'cpu_total_jiffies' ? ts - LAG : ts;
    if (t >= from && t < to) points.push({ ts: t, value: sample.v });
  }
  return points;
}

const clockAt = (now: number) => () => now;

describe('retention on a real database', () => {
  it('rolls up, removes raw samples past retention, and a query spanning the tiers has no gap and no double point', () => {
    const store = Store.open(join(tempDir(), 'metrix.db'));
    const end = START + 10 * D;
    writePolls(store, 2, START, end, M);
    const result = prune(store.retention, { now: end, policy: policy({ raw: 2, m5: 365, h1: 1825 }), clock: clockAt(end) });
    expect(result.complete).toBe(true);
    // Raw samples go on the hour at or before now - 2d (and only where rolled up). Roll-ups are built
    // up to an hour ago; a bucket is one series over 5 minutes or an hour; the counter's first one
    // is before midnight (it was read 1.5 s before the first poll).
    // Roll-ups are built up to an hour ago; their "from" is the cut of their own retention.
    expect(store.coverage('n0')).toEqual({
      rawFrom: end - 2 * D,
      rollups: { '5m': { from: end - 365 * D, to: end - H }, '1h': { from: Math.floor((end - 1825 * D) / CHUNK_MS['1h']) * CHUNK_MS['1h'], to: end - H } },
    });
    expect(result.counts).toMatchObject({ rawRows: 2 * 8 * 1440, rawSamples: 2 * 8 * 1440 * 5, built5m: 2 * (4 * 12 * 239 + (12 * 239 + 1)), built1h: 2 * (4 * 239 + 240) });

    for (const metric of ['cpu_percent', 'cpu_total_jiffies']) {
      const truth = expected(1, metric, START, end, M);
      // No step: 5-minute buckets (avg), then raw samples from the cut on.
      const plain = readHistory(store, { host: 'n1', metric, since: START, until: end - 1, stepMs: undefined, agg: 'avg' });
      expect(plain.segments.map((s) => [s.tier, s.from, s.to])).toEqual([['5m', START, end - 2 * D], ['raw', end - 2 * D, end]]);
      const points = plain.series[0]!.points;
      const cut = end - 2 * D;
      expect(points.filter((p) => p.tier === '5m').map((p) => p.ts)).toEqual(downsample(truth.filter((p) => p.ts < cut), 5 * M, 'avg').map((p) => p.ts));
      expect(points.filter((p) => p.tier === 'raw')).toEqual(truth.filter((p) => p.ts >= cut).map((p) => ({ ...p, tier: 'raw' })));
      expect(points.filter((p) => p.tier === '5m').map((p) => p.value)).toEqual(downsample(truth.filter((p) => p.ts < cut), 5 * M, 'avg').map((p) => p.value));
      // With a step, every step is what the raw samples would give, across the seam too.
      for (const [step, agg] of [[H, 'avg'], [H, 'max'], [15 * M, 'min'], [D, 'avg']] as const) {
        const stepped = readHistory(store, { host: 'n1', metric, since: START, until: end - 1, stepMs: step, agg });
        expect(stepped.series[0]!.points.map(({ ts, value }) => ({ ts, value })), `${metric} ${agg} per ${step}`).toEqual(downsample(truth, step, agg));
      }
    }
    // last and p95 read raw samples wherever they are kept, even at a step roll-ups would serve,
    // and name the part before them that only roll-ups hold.
    const truth = expected(1, 'load1', START, end, M);
    const last = readHistory(store, { host: 'n1', metric: 'load1', since: end - D, until: end - 1, stepMs: H, agg: 'last' });
    expect(last.leftOut).toBeUndefined();
    expect(last.series[0]!.points).toEqual(downsample(truth.filter((p) => p.ts >= end - D), H, 'last').map((p) => ({ ...p, tier: 'raw' })));
    const spanning = readHistory(store, { host: 'n1', metric: 'load1', since: START, until: end - 1, stepMs: H, agg: 'p95' });
    expect(spanning.leftOut).toEqual({ tier: '5m', from: START, to: end - 2 * D });
    expect(spanning.series[0]!.points[0]!.ts).toBe(end - 2 * D);
    store.close();
  });

  it('keeps the file size steady over 90 days of polls with retention="30d", pruned day by day', () => {
    const path = join(tempDir(), 'metrix.db');
    const store = Store.open(path);
    const sizes = new Map<number, number>();
    const steady = policy({ raw: 30, m5: 30, h1: 30 });
    for (let day = 1; day <= 90; day++) {
      writePolls(store, 3, START + (day - 1) * D, START + day * D, 2 * M);
      prune(store.retention, { now: START + day * D, policy: steady, clock: clockAt(START + day * D) });
      store.checkpoint();
      sizes.set(day, statSync(path).size);
    }
    store.close();
    // Day 30 holds a month of each tier and grows no more: removed pages are reused.
    expect(sizes.get(90)! / sizes.get(45)!).toBeLessThan(1.05);
    expect(sizes.get(90)! / sizes.get(45)!).toBeGreaterThan(0.95);
    expect(sizes.get(45)! / sizes.get(15)!).toBeGreaterThan(1.5);
  }, 120_000);

  it('metrix prune with no database yet says so and creates none', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.xml'), '<metrix><hosts><host name="n0" transport="local"/></hosts></metrix>');
    const run = await runCli(dir, ['prune']);
    expect(run).toEqual({ code: 0, stdout: `nothing to prune: no database at ${join(dir, 'metrix.db')} yet\n`, stderr: '' });
    expect(existsSync(join(dir, 'metrix.db'))).toBe(false);
  });

  it('answers metrix query --since 400d from hourly roll-ups alone, and says so', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.xml'), '<metrix><settings retention="1d" rollupRetention="2d" hourlyRetention="1825d"/><hosts><host name="n0" transport="local"/></hosts></metrix>');
    const store = Store.open(join(dir, 'metrix.db'));
    writePolls(store, 1, START, START + 3 * D, 5 * M);
    store.close();
    const now = START + 200 * D;
    const pruned = await runCli(dir, ['prune'], clockAt(now));
    expect(pruned.code).toBe(0);
    // 864 polls of 5 series; the last one's row stays (the host's latest good poll, for metrix
    // hosts). Each counter was read 1.5 s before its poll: the first in the hour before midnight.
    expect(pruned.stdout).toMatch(/raw samples +4,315 removed \(863 rows\), older than 1d/);
    expect(pruned.stdout).toMatch(/5-minute roll-ups +4,320 buckets removed, older than 2d/);
    expect(pruned.stdout).toMatch(/roll-ups built +4,320 5-minute buckets, 361 hourly buckets/);
    expect(pruned.stdout).toMatch(/polls +863 removed, older than 1d/);
    expect(pruned.stdout).toMatch(/file +[\d.]+ MiB before, [\d.]+ MiB after; [\d.]+ MiB of it free, reused before the file grows\n$/);

    const csv = await runCli(dir, ['query', '-h', 'n0', '-m', 'load1', '--since', '400d', '--format', 'csv'], clockAt(now));
    expect(csv.code).toBe(0);
    const lines = csv.stdout.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('time,host,metric,labels,value');
    expect(lines).toHaveLength(1 + 72);
    expect(lines[1]).toBe(`2026-01-01T00:00:00Z,n0,load1,,${downsample(expected(0, 'load1', START, START + H, 5 * M), H, 'avg')[0]!.value}`);
    expect(csv.stderr).toBe(`note: read hourly roll-ups from ${'2025-11-27T00:00:00Z'}; roll-ups give the avg of each bucket\n`.replace('2025-11-27T00:00:00Z', new Date(now - 400 * D).toISOString().replace('.000', '')));

    const json = await runCli(dir, ['query', '-h', 'n0', '-m', 'load1', '--since', '400d', '--step', '1d', '--agg', 'max', '--json'], clockAt(now));
    expect(JSON.parse(json.stdout).map((row: { tier: string; value: number }) => [row.tier, row.value])).toEqual(
      downsample(expected(0, 'load1', START, START + 3 * D, 5 * M), D, 'max').map((p) => ['1h', p.value]),
    );
    expect(json.stderr).toBe('');

    const p95 = await runCli(dir, ['query', '-h', 'n0', '-m', 'load1', '--since', '400d', '--step', '1h', '--agg', 'p95'], clockAt(now));
    expect(p95.code).toBe(2);
    expect(p95.stderr).toMatch(/^metrix: --agg p95 needs raw samples, and for this range only roll-ups are kept \(min, max, avg and count per bucket, raw samples for 1d\): use --agg avg, min or max\n$/);
  });

  it('applies itself after a run at most once an hour, within its budget, and carries on where it stopped', () => {
    const dir = tempDir();
    const store = Store.open(join(dir, 'metrix.db'));
    writePolls(store, 4, START, START + 2 * D, M);
    let now = START + 40 * D;
    // Each reading of this clock moves it 100 ms on: a 1 s budget is spent after about ten steps.
    const config = { settings: { retentionMs: 30 * D, rollupRetentionMs: 365 * D, hourlyRetentionMs: 1825 * D } } as Parameters<typeof pruneAfterRun>[0];
    const pass = (): string => {
      const io = captureIo(dir, () => (now += 100));
      pruneAfterRun(config, store, io, 1000);
      return io.stderr();
    };
    expect(pass()).toMatch(/INFO retention: rolled up [\d,]+ 5-minute buckets and [\d,]+ hourly buckets; the rest after the next run\n$/);
    let passes = 1;
    while (pass().endsWith('the rest after the next run\n')) passes++;
    expect(passes).toBeGreaterThan(2);
    expect(store.coverage('n3')?.rawFrom).toBe(START + 10 * D);
    // Of the raw samples only the host's latest good poll is left (metrix hosts shows it).
    expect(store.range({ host: 'n3', metric: 'load1', since: 0, until: now }).flatMap((s) => s.points.map((p) => p.ts))).toEqual([START + 2 * D - M]);
    expect(readHistory(store, { host: 'n3', metric: 'load1', since: START, until: START + 2 * D, stepMs: D, agg: 'max' }).series[0]!.points).toEqual(
      downsample(expected(3, 'load1', START, START + 2 * D, M), D, 'max').map((p) => ({ ...p, tier: '1h' })),
    );
    // Done: nothing more for an hour, whatever is written meanwhile.
    writePolls(store, 4, now, now + 30 * M, M);
    now += 59 * M;
    expect(pass()).toBe('');
    now += 2 * H;
    expect(pass()).toMatch(/INFO retention: rolled up \d+ 5-minute buckets/);
    store.close();
  });

  it('runs by itself after metrix execute stores and alerts, then not again within the hour', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.xml'), '<metrix><settings retention="1d"/><hosts><host name="localhost" transport="local"/></hosts></metrix>');
    const store = Store.open(join(dir, 'metrix.db'));
    writePolls(store, 2, START, START + 2 * D, 10 * M);
    store.close();
    let now = START + 10 * D;
    const first = await runCli(dir, ['execute'], () => now);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/INFO stored \d+ samples from 1 host\n(.*\n)*.*INFO retention: rolled up [\d,]+ 5-minute buckets and [\d,]+ hourly buckets; removed [\d,]+ raw samples/);
    const reader = Store.open(join(dir, 'metrix.db'), { readonly: true });
    expect(reader.coverage('n0')?.rawFrom).toBe(START + 9 * D);
    expect(reader.range({ host: 'localhost', metric: 'host_up', since: now - M, until: now })[0]!.points).toEqual([{ ts: now, value: 1 }]);
    reader.close();
    now += 10 * M;
    const second = await runCli(dir, ['execute'], () => now);
    expect(second.code).toBe(0);
    expect(second.stderr).not.toMatch(/retention/);
  });

  it('removes old polls and runs but keeps each host\'s latest and latest good poll, its samples, sent mail and resolved alerts past their limits', () => {
    const path = join(tempDir(), 'metrix.db');
    const store = Store.open(path);
    writePolls(store, 2, START, START + D, 10 * M);
    // n1 goes down for good at the end of day 1; n0 stays up.
    const down = (ts: number): PollRecord => ({ host: 'n1', ts, durationMs: 10, failure: { reason: 'unreachable', message: 'gone' }, collector: undefined, samples: [{ m: 'host_up', v: 0 }] });
    store.writeRun({ startedAt: START + D, finishedAt: START + D + 10, polls: [down(START + D)] });
    writePolls(store, 1, START + 60 * D, START + 61 * D, 10 * M);
    store.outbox.enqueue({ messageId: '<old@x>', sender: 'a@x', recipients: ['b@x'], subject: 'old', raw: Buffer.from('x') }, START);
    store.outbox.markSent(1, START + M);
    store.outbox.enqueue({ messageId: '<stuck@x>', sender: 'a@x', recipients: ['b@x'], subject: 'waiting', raw: Buffer.from('x') }, START);
    const now = START + 61 * D;
    const result = prune(store.retention, { now, policy: policy({ raw: 30, m5: 365, h1: 1825 }), clock: clockAt(now) });
    expect(result.counts).toMatchObject({ polls: 2 * 144 + 1 - 2, outbox: 1 });
    // n1's latest poll (the failure) and its latest good one keep their runs.
    expect(result.counts.runs).toBe(144 + 1 - 2);
    const polls = store.lastPolls(['n0', 'n1']);
    expect(polls.get('n1')).toEqual({
      last: { ts: START + D, ok: false, reason: 'unreachable', message: 'gone' },
      lastOk: { ts: START + D - 10 * M, ok: true, reason: undefined, message: undefined },
    });
    // metrix hosts shows n1 as it was when it last answered.
    expect(store.samplesAt([{ host: 'n1', ts: START + D - 10 * M }], ['cpu_percent']).get('n1')).toHaveLength(1);
    expect(store.outbox.pending().map((m) => m.subject)).toEqual(['waiting']);
    store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
