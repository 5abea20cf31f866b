import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostName, pollOf, shapeOf } from '../../bench/store-data.js';
import { packageRoot } from '../../src/poll/collector-bundle.js';
import type { PollRecord } from '../../src/poll/records.js';
import { downsample } from '../../src/query/aggregate.js';
import { readHistory } from '../../src/query/history.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';

// These run the built CLI (npm run build) as separate processes, against one database.
const BIN = join(packageRoot(), 'bin', 'metrix.js');
const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const HOSTS = 20;
const shape = shapeOf(40);
// Two days of history, old enough that retention="1d" removes its raw samples.
const START = Math.floor((Date.now() - 40 * D) / D) * D;
const END = START + 2 * D;

function setUp(): { dir: string; db: string } {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.xml'), '<metrix><settings retention="1d"/><hosts><host name="localhost" transport="local"/></hosts></metrix>');
  const db = join(dir, 'metrix.db');
  const store = Store.open(db);
  for (let t = 0; t < (END - START) / M; t++) {
    const polls: PollRecord[] = Array.from({ length: HOSTS }, (_, h) => pollOf(shape, h, t, START + t * M));
    store.writeRun({ startedAt: START + t * M, finishedAt: START + t * M + 500, polls });
  }
  store.close();
  return { dir, db };
}

/** Each host's cpu_percent per hour as the raw samples give it: what the history must say, whatever tier it is read from. */
function truth(h: number): Array<{ ts: number; value: number }> {
  const points = Array.from({ length: (END - START) / M }, (_, t) => ({ ts: START + t * M, value: pollOf(shape, h, t, 0).samples[0]!.v }));
  return downsample(points, H, 'avg');
}

function expectHistoryWhole(db: string): void {
  const store = Store.open(db, { readonly: true });
  try {
    for (let h = 0; h < HOSTS; h++) {
      const history = readHistory(store, { host: hostName(h), metric: 'cpu_percent', since: START, until: END - 1, stepMs: H, agg: 'avg' });
      expect(history.series[0]!.points.map(({ ts, value }) => ({ ts, value })), hostName(h)).toEqual(truth(h));
    }
  } finally {
    store.close();
  }
}

function metrix(dir: string, args: readonly string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stderr: string; stdout: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string; stdout: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stderr, stdout })),
  );
  return { child, done };
}

/** How far retention got: hosts with roll-ups built, and whether a pass finished. */
function progress(db: string): { started: number; finished: boolean } {
  const reader = new Database(db, { readonly: true });
  try {
    const started = (reader.prepare('SELECT count(*) AS n FROM tiers WHERE m5_to > 0').get() as { n: number }).n;
    const finished = reader.prepare("SELECT 1 FROM store_state WHERE name = 'retention_done_at'").get() !== undefined;
    return { started, finished };
  } finally {
    reader.close();
  }
}

/** Resolves once `ready()` holds, checked whenever a file beside the database changes (each commit writes the -wal). */
function whenDatabase(dir: string, ready: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(dir, () => {
      if (!ready()) return;
      watcher.close();
      resolve();
    });
  });
}

describe('metrix prune as a process', () => {
  it('killed with SIGKILL mid-way leaves whole steps only; the next prune finishes and nothing is lost', async () => {
    const { dir, db } = setUp();
    const run = metrix(dir, ['prune']);
    await whenDatabase(dir, () => progress(db).started >= 3);
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(progress(db).finished, 'the kill came after the pass had finished').toBe(false);

    const check = new Database(db, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    // No host has raw samples removed that its 5-minute roll-ups do not hold.
    const tiers = check.prepare('SELECT h.name, t.raw_from, t.m5_to FROM tiers t JOIN hosts h ON h.id = t.host_id').all() as Array<{ name: string; raw_from: number; m5_to: number }>;
    for (const tier of tiers) expect(tier.raw_from, tier.name).toBeLessThanOrEqual(tier.m5_to);
    check.close();
    expectHistoryWhole(db);

    const again = metrix(dir, ['prune']);
    const result = await again.done;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/raw samples +[\d,]+ removed/);
    expect(progress(db).finished).toBe(true);
    expectHistoryWhole(db);
    const store = Store.open(db, { readonly: true });
    expect(store.coverage(hostName(0))?.rawFrom).toBeGreaterThanOrEqual(END);
    store.close();
  }, 180_000);

  it('runs beside a metrix execute that writes: both succeed and no sample is lost', async () => {
    const { dir, db } = setUp();
    const before = Date.now();
    const pruning = metrix(dir, ['prune']);
    await whenDatabase(dir, () => progress(db).started >= 1);
    const polling = metrix(dir, ['execute']);
    const [pruned, polled] = await Promise.all([pruning.done, polling.done]);
    expect(polled.code, polled.stderr).toBe(0);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stderr).toBe('');

    const store = Store.open(db, { readonly: true });
    const up = store.range({ host: 'localhost', metric: 'host_up', since: before, until: Date.now() });
    expect(up.flatMap((s) => s.points.map((p) => p.value))).toEqual([1]);
    expect(store.metricsOf('localhost')).toEqual(expect.arrayContaining(['cpu_percent', 'mem_percent', 'load1']));
    expect(store.lastValue('(metrix)', 'metrix_mail_ok')).toBe(1);
    store.close();
    expectHistoryWhole(db);
    expect(progress(db).finished).toBe(true);
  }, 180_000);
});
