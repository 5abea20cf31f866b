import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RemoteWriteConfig } from '../../src/config/types.js';
import type { PollRecord } from '../../src/poll/records.js';
import type { Poster, PostResult } from '../../src/remote-write/post.js';
import { sendQueue } from '../../src/remote-write/send.js';
import { snappyDecompress } from '../../src/remote-write/snappy.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';
import { decodeWriteRequest } from './wire.js';

/** The queue and the sender on a real SQLite file, with a poster that answers as told and records what it got. */
const CONFIG: RemoteWriteConfig = { url: 'http://store.invalid/api/v1/write', timeoutMs: 10_000, auth: { kind: 'none' }, caFile: undefined, maxQueued: 1_000_000, labels: {} };
const T0 = 1_764_500_000_000;

function poll(host: string, ts: number, extra: Partial<PollRecord> = {}): PollRecord {
  return { host, ts, durationMs: 5, failure: undefined, collector: 't', samples: [{ m: 'load1', v: ts / 1e12 }, { m: 'mem_percent', v: 42 }, { m: 'cpu_total_jiffies', v: ts / 1000 }], ...extra };
}

function openStore(queueing = true): { store: Store; path: string } {
  const path = join(tempDir(), 'metrix.db');
  const store = Store.open(path);
  store.remoteWrite.enabled = queueing;
  return { store, path };
}

function poster(answer: (body: Buffer, i: number) => PostResult = () => ({ kind: 'answered', status: 204, body: '', retryAfterMs: undefined })) {
  const bodies: Buffer[] = [];
  const fake: Poster & { bodies: Buffer[] } = {
    bodies,
    post: async (body) => {
      bodies.push(body);
      return answer(body, bodies.length - 1);
    },
    close: () => undefined,
  };
  return fake;
}

const clock = { clock: () => T0, sleep: async () => undefined, budgetMs: 30_000 };

describe('the remote-write queue', () => {
  it('queues nothing without <remoteWrite>', () => {
    const { store } = openStore(false);
    store.writeRun({ startedAt: T0, finishedAt: T0, polls: [poll('a', T0)] });
    expect(store.remoteWrite.depth()).toEqual({ rows: 0, samples: 0 });
    store.close();
  });

  it('queues a run in the transaction that stores it: a run that fails to store queues nothing', () => {
    const { store } = openStore();
    store.writeRun({ startedAt: T0, finishedAt: T0, polls: [poll('a', T0), poll('b', T0)] });
    expect(store.remoteWrite.depth()).toEqual({ rows: 2, samples: 6 });
    expect(() => store.writeRun({ startedAt: T0, finishedAt: T0, polls: [poll('c', T0 + 1), poll('d', T0 + 1, { samples: [{ m: 'load1', v: NaN }] })] })).toThrow(/not a finite number/);
    expect(store.remoteWrite.depth()).toEqual({ rows: 2, samples: 6 });
    store.close();
  });

  it('sends counters at the time the host read them, gauges at the poll time', async () => {
    const { store } = openStore();
    store.writeRun({ startedAt: T0, finishedAt: T0, polls: [poll('a', T0, { countersTs: T0 - 700 })] });
    const fake = poster();
    const report = await sendQueue(store.remoteWrite, CONFIG, { poster: fake, ...clock });
    expect(report.sentSamples).toBe(3);
    const series = decodeWriteRequest(snappyDecompress(fake.bodies[0]!));
    expect(series.map((s) => [s.labels[0]![1], s.samples[0]!.timestamp])).toEqual([['load1', T0], ['mem_percent', T0], ['cpu_total_jiffies', T0 - 700]]);
    expect(store.remoteWrite.depth().rows).toBe(0);
    expect(store.remoteWrite.total('remote_write_sent')).toBe(3);
    store.close();
  });

  it('over maxQueued, drops the oldest entries whole and counts them', async () => {
    const { store } = openStore();
    for (let i = 0; i < 10; i++) store.writeRun({ startedAt: T0 + i, finishedAt: T0 + i, polls: [poll('a', T0 + i * 60_000)] });
    const fake = poster();
    const report = await sendQueue(store.remoteWrite, { ...CONFIG, maxQueued: 10 }, { poster: fake, ...clock });
    expect(report.trimmed).toEqual({ rows: 7, samples: 21 });
    const sent = fake.bodies.flatMap((body) => decodeWriteRequest(snappyDecompress(body))).filter((s) => s.labels[0]![1] === 'load1').map((s) => s.samples[0]!.timestamp);
    expect(sent).toEqual([7, 8, 9].map((i) => T0 + i * 60_000));
    expect(store.remoteWrite.total('remote_write_dropped')).toBe(21);
    store.close();
  });

  it('drops (and counts) entries whose rows retention removed before they were sent', async () => {
    const { store, path } = openStore();
    store.writeRun({ startedAt: T0, finishedAt: T0, polls: [poll('a', T0), poll('b', T0)] });
    const db = new Database(path);
    db.prepare("DELETE FROM sample_rows WHERE host_id = (SELECT id FROM hosts WHERE name = 'a')").run();
    db.close();
    const fake = poster();
    const report = await sendQueue(store.remoteWrite, CONFIG, { poster: fake, ...clock });
    expect(report.gone).toEqual({ rows: 1, samples: 3 });
    expect(report.sentSamples).toBe(3);
    store.close();
  });

  it('a batch never holds two samples of one series: a backlog of one host goes one poll a request, in order', async () => {
    const { store } = openStore();
    for (let i = 0; i < 3; i++) store.writeRun({ startedAt: T0, finishedAt: T0, polls: [poll('a', T0 + i * 60_000), poll('b', T0 + i * 60_000)] });
    const fake = poster();
    await sendQueue(store.remoteWrite, CONFIG, { poster: fake, ...clock });
    const requests = fake.bodies.map((body) => decodeWriteRequest(snappyDecompress(body)));
    expect(requests).toHaveLength(3);
    for (const [i, series] of requests.entries()) {
      expect(new Set(series.map((s) => JSON.stringify(s.labels))).size).toBe(series.length);
      expect(new Set(series.map((s) => s.samples[0]!.timestamp)).has(T0 + i * 60_000)).toBe(true);
    }
    store.close();
  });

  it('stops when the budget is spent: no request starts after it, the rest waits', async () => {
    const { store } = openStore();
    for (let i = 0; i < 5; i++) store.writeRun({ startedAt: T0, finishedAt: T0, polls: [poll('a', T0 + i * 60_000)] });
    let now = T0;
    const fake = poster(() => {
      now += 4000; // each request takes 4 s
      return { kind: 'answered', status: 204, body: '', retryAfterMs: undefined };
    });
    const report = await sendQueue(store.remoteWrite, CONFIG, { poster: fake, clock: () => now, sleep: async () => undefined, budgetMs: 10_000 });
    expect(fake.bodies).toHaveLength(3);
    expect(report.stopped).toBe('out of time for this run');
    expect(report.left).toEqual({ rows: 2, samples: 6 });
    store.close();
  });
});
