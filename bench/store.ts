/**
 * Storage benchmark. Prints figures; asserts nothing.
 *   npm run bench:store -- [--hosts 200] [--series 40] [--hours 24] [--codec packed|fixed]
 *                          [--sim-hosts 20] [--sim-days 90] [--no-sim] [--keep]
 *
 * 1. Fills a database the way a cluster would over a day (one run of every host a minute):
 *    insert rate, bytes per sample, and a 24 h range of one series.
 * 2. Prunes a copy of it as if the day were past retention: builds its 5-minute and hourly
 *    roll-ups and removes its raw samples, timed.
 * 3. Adds 30 days of 5-minute and a year of hourly roll-ups for every host and times one
 *    series over each.
 * 4. Simulates 90 days of a smaller cluster pruned every day with retention="30d", beside
 *    the same database never pruned, and prints both files' sizes along the way.
 * Times are wall clock (this machine may be shared) and, for the insert, CPU time too.
 */
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { PollRecord } from '../src/poll/records.js';
import { readHistory } from '../src/query/history.js';
import type { RetentionPolicy } from '../src/retention/policy.js';
import { prune } from '../src/retention/prune.js';
import type { Stats } from '../src/retention/rollup.js';
import type { Codec } from '../src/store/codec.js';
import type { Bucket } from '../src/store/rollups.js';
import { CHUNK_MS, type RollupTier } from '../src/retention/tiers.js';
import { Store } from '../src/store/store.js';
import { hostName, pollOf, shapeOf } from './store-data.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '200' },
    series: { type: 'string', default: '40' },
    hours: { type: 'string', default: '24' },
    codec: { type: 'string', default: 'packed' },
    'sim-hosts': { type: 'string', default: '20' },
    'sim-days': { type: 'string', default: '90' },
    'no-sim': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const hosts = Number(values.hosts);
const minutes = Number(values.hours) * 60;
const codec = values.codec as Codec;
const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const start = Date.parse('2026-11-01T00:00:00Z');
const shape = shapeOf(Number(values.series));
const dir = mkdtempSync(join(tmpdir(), 'metrix-bench-'));
const path = join(dir, 'bench.db');
const mib = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MiB`;
const count = (n: number): string => n.toLocaleString('en');

function timed<T>(work: () => T): { result: T; ms: number; cpuMs: number } {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = work();
  const c1 = process.cpuUsage(c0);
  return { result, ms: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: (c1.user + c1.system) / 1000 };
}

/**
 * Mean time (wall and CPU, which counts the process's other threads too) of `query` over `runs`
 * hosts, once as many queries have warmed the code up (as in a process that stays up).
 */
function meanMs(runs: number, query: (host: string) => number): { ms: number; cpuMs: number; points: number } {
  for (let q = 0; q < runs; q++) query(hostName((q * 53 + 11) % hosts));
  let points = 0;
  const { ms, cpuMs } = timed(() => {
    for (let q = 0; q < runs; q++) points += query(hostName((q * 37) % hosts));
  });
  return { ms: ms / runs, cpuMs: cpuMs / runs, points: points / runs };
}

// 1. A day of polls.
const store = Store.open(path, { codec });
let written = 0;
let insertMs = 0;
let insertCpuMs = 0;
for (let minute = 0; minute < minutes; minute++) {
  const ts = start + minute * M;
  const polls: PollRecord[] = [];
  for (let h = 0; h < hosts; h++) polls.push(pollOf(shape, h, minute, ts));
  written += hosts * shape.length;
  const run = timed(() => store.writeRun({ startedAt: ts, finishedAt: ts + 2000, polls }));
  insertMs += run.ms;
  insertCpuMs += run.cpuMs;
}
store.checkpoint();
store.close();
const bytes = statSync(path).size;
console.log(`database: ${hosts} hosts × ${shape.length} series × ${minutes} minutes = ${count(written)} samples, codec ${codec}`);
console.log(
  `insert: ${count(Math.round(written / (insertMs / 1000)))} samples/s (${(insertMs / 1000).toFixed(1)} s in writeRun, one transaction per run of ${hosts} hosts); ` +
    `${count(Math.round(written / (insertCpuMs / 1000)))} samples/s of CPU time`,
);
console.log(`size: ${mib(bytes)}, ${(bytes / written).toFixed(2)} bytes/sample`);

const reader = Store.open(path, { readonly: true });
const day = meanMs(50, (host) => readHistory(reader, { host, metric: 'cpu_percent', since: start, until: start + minutes * M - 1, stepMs: undefined, agg: 'avg' }).series[0]!.points.length);
console.log(`24h range, one host and series, raw samples: ${day.ms.toFixed(2)} ms, ${day.cpuMs.toFixed(2)} ms of CPU (${day.points} points, mean of 50 hosts after 50 to warm up)`);
reader.close();

// 2. Retention over that day: its roll-ups built, its raw samples removed.
const prunePath = join(dir, 'prune.db');
copyFileSync(path, prunePath);
const pruneStore = Store.open(prunePath, { codec });
const policy: RetentionPolicy = { rawMs: 30 * D, fiveMinuteMs: 365 * D, hourlyMs: 1825 * D, pollsMs: 30 * D, sentMailMs: 30 * D, resolvedAlertsMs: 365 * D, eventsMs: 365 * D };
const pruneNow = start + minutes * M + 30 * D + 2 * H;
const pruned = timed(() => prune(pruneStore.retention, { now: pruneNow, policy, clock: Date.now }));
pruneStore.checkpoint();
pruneStore.close();
const c = pruned.result.counts;
console.log(
  `prune of one day of ${hosts} hosts: ${(pruned.ms / 1000).toFixed(1)} s (${count(c.built5m)} 5-minute and ${count(c.built1h)} hourly buckets built, ` +
    `${count(c.rawSamples)} raw samples in ${count(c.rawRows)} rows removed, ${count(c.polls)} polls and ${count(c.runs)} runs removed); ` +
    `file ${mib(bytes)} -> ${mib(statSync(prunePath).size)} with ${mib(freeBytes(prunePath))} of it free`,
);
console.log(`  the day as roll-ups: 5-minute ${mib(tableBytes(prunePath, 'rollups_5m'))}, hourly ${mib(tableBytes(prunePath, 'rollups_1h'))}`);

// 3. Roll-ups: 30 days of 5-minute buckets and a year of hourly ones before the raw day, every host.
const rollupStore = Store.open(path, { codec });
const made = timed(() => {
  writeRollups(rollupStore, '5m', 5 * M, start - 30 * D, start);
  writeRollups(rollupStore, '1h', H, start - 365 * D, start);
  // Retention then rolls up the raw day after them, and knows from then on what each tier holds.
  prune(rollupStore.retention, { now: start + minutes * M + 2 * H, policy, clock: Date.now });
});
rollupStore.checkpoint();
rollupStore.close();
const withRollups = statSync(path).size;
console.log(
  `roll-ups added: 30 days of 5-minute and 365 days of hourly buckets for ${hosts} hosts in ${(made.ms / 1000).toFixed(0)} s; ` +
    `5-minute ${mib(tableBytes(path, 'rollups_5m'))} (${(tableBytes(path, 'rollups_5m') / (hosts * shape.length * 30 * 288)).toFixed(2)} bytes a bucket of one series), ` +
    `hourly ${mib(tableBytes(path, 'rollups_1h'))} (${(tableBytes(path, 'rollups_1h') / (hosts * shape.length * 365 * 24)).toFixed(2)} bytes a bucket of one series); file ${mib(withRollups)}`,
);
const rollups = Store.open(path, { readonly: true });
for (const [tier, span, step, label] of [['5m', 30 * D, 5 * M, '30d at 5-minute roll-ups (--step 5m)'], ['1h', 365 * D, H, '1y at hourly roll-ups (--step 1h)']] as const) {
  const result = meanMs(50, (host) => {
    const history = readHistory(rollups, { host, metric: 'cpu_percent', since: start - span, until: start - 1, stepMs: step, agg: 'avg' });
    if (history.segments.some((s) => s.tier !== tier)) throw new Error(`read ${history.segments.map((s) => s.tier).join(', ')}, not ${tier}`);
    return history.series[0]!.points.length;
  });
  console.log(`${label}, one host and series: ${result.ms.toFixed(2)} ms, ${result.cpuMs.toFixed(2)} ms of CPU (${result.points} buckets, mean of 50 hosts after 50 to warm up)`);
}
rollups.close();

// 4. 90 days of a smaller cluster, pruned daily with retention="30d", beside the same never pruned.
if (!values['no-sim']) simulate(Number(values['sim-hosts']), Number(values['sim-days']));

if (values.keep) console.log(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });

/**
 * Synthetic buckets of every host's series over [from, to): around the value the host would
 * have then. Eight hosts' worth of values are made and the others repeat them (it is the
 * reading that is timed here, and the size per bucket, not the variety of hosts).
 */
function writeRollups(target: Store, tier: RollupTier, bucketMs: number, from: number, to: number): void {
  const per = bucketMs / M;
  const r2 = (v: number): number => Math.round(v * 100) / 100;
  const chunkMs = CHUNK_MS[tier];
  for (let at = from; at < to; at += chunkMs) {
    const variants = Array.from({ length: Math.min(8, hosts) }, (_, h) =>
      shape.map(({ m, l, value }) => {
        const buckets: Bucket[] = [];
        for (let ts = at; ts < Math.min(at + chunkMs, to); ts += bucketMs) {
          const v = value(h, (ts - start) / M);
          const stats: Stats = Number.isInteger(v)
            ? { min: v, max: v + per * 10, sum: per * v + 5 * per * (per - 1), count: per }
            : { min: r2(v * 0.9), max: r2(v * 1.1), sum: r2(v * per), count: per };
          buckets.push({ ts, stats });
        }
        return { m, ...(l ? { l } : {}), buckets };
      }),
    );
    target.transaction(() => {
      for (let h = 0; h < hosts; h++) target.insertRollups(tier, hostName(h), variants[h % variants.length]!);
    });
  }
}

function tableBytes(file: string, table: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT coalesce(sum(pgsize), 0) AS n FROM dbstat WHERE name = ?').get(table) as { n: number }).n;
  } finally {
    db.close();
  }
}

function freeBytes(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.pragma('freelist_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
  } finally {
    db.close();
  }
}

function simulate(simHosts: number, days: number): void {
  const kept = Store.open(join(dir, 'sim-retention.db'), { codec });
  const all = Store.open(join(dir, 'sim-none.db'), { codec });
  const simShape = shape;
  const retention: RetentionPolicy = { ...policy, rawMs: 30 * D, pollsMs: 30 * D };
  const rows: string[] = [];
  let pruneMs = 0;
  const t0 = Date.now();
  for (let d = 1; d <= days; d++) {
    for (let minute = (d - 1) * 1440; minute < d * 1440; minute++) {
      const ts = start + minute * M;
      const polls = Array.from({ length: simHosts }, (_, h) => pollOf(simShape, h, minute, ts));
      kept.writeRun({ startedAt: ts, finishedAt: ts + 1000, polls });
      all.writeRun({ startedAt: ts, finishedAt: ts + 1000, polls });
    }
    pruneMs += timed(() => prune(kept.retention, { now: start + d * D, policy: retention, clock: Date.now })).ms;
    if ([1, 30, 31, 45, 60, 90, days].includes(d) && !rows.some((row) => row.startsWith(`  day ${d}:`))) {
      kept.checkpoint();
      all.checkpoint();
      const withSize = statSync(join(dir, 'sim-retention.db')).size;
      const noneSize = statSync(join(dir, 'sim-none.db')).size;
      const tiers = ['sample_rows', 'rollups_5m', 'rollups_1h'].map((t) => mib(tableBytes(join(dir, 'sim-retention.db'), t)));
      rows.push(
        `  day ${d}: retention="30d" ${mib(withSize)} (raw ${tiers[0]}, 5-minute ${tiers[1]}, hourly ${tiers[2]}, free ${mib(freeBytes(join(dir, 'sim-retention.db')))}); never pruned ${mib(noneSize)}`,
      );
    }
  }
  kept.close();
  all.close();
  console.log(`${days} days of ${simHosts} hosts × ${simShape.length} series at one poll a minute, pruned at the end of each day (${((Date.now() - t0) / 1000).toFixed(0)} s, prune ${(pruneMs / days / 1000).toFixed(2)} s a day):`);
  for (const row of rows) console.log(row);
}
