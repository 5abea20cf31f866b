/**
 * Storage benchmark: fills a database the way a cluster would over a day, then times a
 * 24 h range query. Prints figures; asserts nothing.
 *   npm run bench:store -- [--hosts 200] [--series 40] [--hours 24] [--codec packed|fixed] [--keep]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Codec } from '../src/store/codec.js';
import { Store } from '../src/store/store.js';
import type { PollRecord } from '../src/poll/records.js';
import { hostName, pollOf, shapeOf } from './store-data.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '200' },
    series: { type: 'string', default: '40' },
    hours: { type: 'string', default: '24' },
    codec: { type: 'string', default: 'packed' },
    keep: { type: 'boolean', default: false },
  },
});
const hosts = Number(values.hosts);
const seriesPerHost = Number(values.series);
const minutes = Number(values.hours) * 60;
const codec = values.codec as Codec;
const STEP = 60_000;
const start = Date.parse('2026-11-01T00:00:00Z');
const shape = shapeOf(seriesPerHost);

const dir = mkdtempSync(join(tmpdir(), 'metrix-bench-'));
const path = join(dir, 'bench.db');
const store = Store.open(path, { codec });

let written = 0;
let insertNs = 0n;
let insertCpuUs = 0;
for (let minute = 0; minute < minutes; minute++) {
  const ts = start + minute * STEP;
  const polls: PollRecord[] = [];
  for (let h = 0; h < hosts; h++) polls.push(pollOf(shape, h, minute, ts));
  written += hosts * shape.length;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  store.writeRun({ startedAt: ts, finishedAt: ts + 2000, polls });
  const c1 = process.cpuUsage(c0);
  insertCpuUs += c1.user + c1.system;
  insertNs += process.hrtime.bigint() - t0;
}
const insertSeconds = Number(insertNs) / 1e9;
store.checkpoint();
store.close();

const reader = Store.open(path, { readonly: true });
const queries = 50;
let points = 0;
const t1 = process.hrtime.bigint();
for (let q = 0; q < queries; q++) {
  const host = hostName((q * 37) % hosts);
  for (const series of reader.range({ host, metric: 'cpu_percent', since: start, until: start + minutes * STEP })) points += series.points.length;
}
const queryMs = Number(process.hrtime.bigint() - t1) / 1e6 / queries;
reader.close();
const bytes = statSync(path).size;

console.log(`database: ${hosts} hosts × ${shape.length} series × ${minutes} minutes = ${written.toLocaleString('en')} samples, codec ${codec}`);
console.log(
  `insert: ${(written / insertSeconds).toFixed(0)} samples/s wall, ${(written / (insertCpuUs / 1e6)).toFixed(0)} samples/s of CPU time ` +
    `(${insertSeconds.toFixed(1)} s in writeRun, one transaction per run of ${hosts} hosts)`,
);
console.log(`24h range query, one host and metric: ${queryMs.toFixed(2)} ms (${points / queries} points, mean of ${queries} hosts)`);
console.log(`size: ${(bytes / 1048576).toFixed(1)} MiB, ${(bytes / written).toFixed(2)} bytes/sample`);
if (values.keep) console.log(`kept ${path}`);
else rmSync(dir, { recursive: true, force: true });
