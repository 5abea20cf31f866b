/**
 * Remote-write benchmark. Prints figures; asserts nothing.
 *   npm run bench:remote-write -- [--hosts 1000] [--series 40] [--runs 5] [--backlog 30]
 *
 * A real Prometheus (Debian's, remote-write receiver on) on 127.0.0.1, and a store filled the
 * way a cluster fills it (store-data.ts: 40 series a host, one run a minute):
 * 1. live: `runs` runs, each stored then sent, as execute does: samples/s encoded and sent
 *    (Prometheus's ingestion included), requests, bytes per sample on the wire and before snappy;
 * 2. encode only: the same sending to a poster that answers 204 at once: what metrix's own
 *    side costs (read from the queue, protobuf, snappy);
 * 3. backlog: `backlog` runs stored while the store was down, then sent in one go (catch-up).
 * Prometheus is asked at the end how many samples it holds against how many were sent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { RemoteWriteConfig } from '../src/config/types.js';
import { exposedName } from '../src/metrics/prometheus-names.js';
import { createPoster, type Poster } from '../src/remote-write/post.js';
import { sendQueue, type SendReport } from '../src/remote-write/send.js';
import { Store } from '../src/store/store.js';
import { startPrometheus } from '../test/farm/prometheus.js';
import { pollOf, shapeOf } from './store-data.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    series: { type: 'string', default: '40' },
    runs: { type: 'string', default: '5' },
    backlog: { type: 'string', default: '30' },
  },
});
const hosts = Number(values.hosts);
const shape = shapeOf(Number(values.series));
const runs = Number(values.runs);
const backlog = Number(values.backlog);
const M = 60_000;
const count = (n: number): string => Math.round(n).toLocaleString('en');
const dir = mkdtempSync(join(tmpdir(), 'metrix-bench-rw-'));

/** Runs of every host from minute `from` on, each stored as execute stores it (queued in the same transaction). */
function storeRuns(store: Store, start: number, from: number, n: number): void {
  for (let t = from; t < from + n; t++) {
    const ts = start + t * M;
    store.writeRun({ startedAt: ts, finishedAt: ts, polls: Array.from({ length: hosts }, (_, h) => pollOf(shape, h, t, ts)) });
  }
}

async function timedSend(store: Store, config: RemoteWriteConfig, poster: Poster): Promise<{ report: SendReport; ms: number }> {
  const t0 = performance.now();
  const report = await sendQueue(store.remoteWrite, config, { poster, clock: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), budgetMs: 3_600_000 });
  return { report, ms: performance.now() - t0 };
}

function line(label: string, sent: { samples: number; requests: number; wire: number; raw: number; ms: number }): void {
  console.log(
    `${label.padEnd(34)} ${count(sent.samples).padStart(10)} samples in ${count(sent.requests).padStart(5)} requests, ${(sent.ms / 1000).toFixed(2)} s: ` +
      `${count(sent.samples / (sent.ms / 1000)).padStart(9)} samples/s; ${(sent.wire / sent.samples).toFixed(2)} bytes/sample on the wire (${(sent.raw / sent.samples).toFixed(1)} before snappy)`,
  );
}

const sum = (reports: ReadonlyArray<{ report: SendReport; ms: number }>) => ({
  samples: reports.reduce((s, r) => s + r.report.sentSamples, 0),
  requests: reports.reduce((s, r) => s + r.report.requests, 0),
  wire: reports.reduce((s, r) => s + r.report.wireBytes, 0),
  raw: reports.reduce((s, r) => s + r.report.rawBytes, 0),
  ms: reports.reduce((s, r) => s + r.ms, 0),
});

async function main(): Promise<void> {
  const prometheus = await startPrometheus();
  // Timestamps in the recent past, so that Prometheus takes them all as in bounds.
  const start = Math.floor((Date.now() - (runs * 2 + backlog + 5) * M) / M) * M;
  const config: RemoteWriteConfig = { url: prometheus.remoteWriteUrl, timeoutMs: 30_000, auth: { kind: 'none' }, caFile: undefined, maxQueued: 1_000_000_000, labels: {} };
  const store = Store.open(join(dir, 'bench.db'));
  store.remoteWrite.enabled = true;
  try {
    console.log(`remote write: ${count(hosts)} hosts × ${shape.length} series, Prometheus ${prometheus.url} (pid ${prometheus.pid})`);
    // 1. Live: store a run, send it.
    const live: Array<{ report: SendReport; ms: number }> = [];
    for (let t = 0; t < runs; t++) {
      storeRuns(store, start, t, 1);
      live.push(await timedSend(store, config, createPoster({ url: config.url, userAgent: 'metrix-bench', authorization: undefined, ca: undefined })));
    }
    line(`live: ${runs} runs, each sent after it`, sum(live));

    // 2. Encode only: a poster that accepts at once.
    const instant: Poster = { post: async () => ({ kind: 'answered', status: 204, body: '', retryAfterMs: undefined }), close: () => undefined };
    const encoded: Array<{ report: SendReport; ms: number }> = [];
    for (let t = runs; t < 2 * runs; t++) {
      storeRuns(store, start, t, 1);
      encoded.push(await timedSend(store, config, instant));
    }
    line(`encode only (no network): ${runs} runs`, sum(encoded));

    // 3. Backlog: stored while the store was down, then sent in one go.
    const from = 2 * runs;
    storeRuns(store, start, from, backlog);
    const depth = store.remoteWrite.depth();
    const catchUp = await timedSend(store, config, createPoster({ url: config.url, userAgent: 'metrix-bench', authorization: undefined, ca: undefined }));
    line(`backlog: ${backlog} runs (${count(depth.samples)} queued)`, sum([catchUp]));

    const end = start + (from + backlog) * M;
    const sentToPrometheus = sum(live).samples + catchUp.report.sentSamples;
    // count_over_time drops the name, so one query per metric (series of one metric differ by their labels).
    let held = 0;
    for (const metric of new Set(shape.map((s) => exposedName(s.m)))) {
      const [sumOf] = await prometheus.query(`sum(count_over_time(${metric}{host=~"node.+"}[${from + backlog + 1}m]))`, end);
      held += sumOf?.samples[0]?.v ?? 0;
    }
    const [series] = await prometheus.query('count({host=~"node.+"})', start + (from + backlog - 1) * M);
    console.log(`Prometheus holds ${count(held)} samples of nodes; sent it ${count(sentToPrometheus)} (${count(store.remoteWrite.total('remote_write_sent'))} counted, encode-only included); ${count(series?.samples[0]?.v ?? 0)} series`);
    console.log(`queue left: ${count(store.remoteWrite.depth().rows)} entries; dropped: ${count(store.remoteWrite.total('remote_write_dropped'))}`);
  } finally {
    store.close();
    await prometheus.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
