/**
 * Storage benchmark: fills a database the way a cluster would over a day, then times a
 * 24 h range query. Prints figures; asserts nothing.
 *   npm run bench:store -- [--hosts 200] [--series 40] [--hours 24] [--keep]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Sample } from '../client-script/src/protocol.js';
import { Store } from '../src/store/store.js';
import type { PollRecord } from '../src/poll/records.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '200' },
    series: { type: 'string', default: '40' },
    hours: { type: 'string', default: '24' },
    keep: { type: 'boolean', default: false },
  },
});
const hosts = Number(values.hosts);
const seriesPerHost = Number(values.series);
const minutes = Number(values.hours) * 60;
const STEP = 60_000;
const start = Date.parse('2026-11-01T00:00:00Z');

// A realistic mix: unlabelled gauges, then per-mount and per-interface series.
const shape = Array.from({ length: seriesPerHost }, (_, i): Omit<Sample, 'v'> =>
  i < 15 ? { m: `metric_${i}` } : i < 30 ? { m: 'disk_used_percent', l: { mount: `/mnt/${i}` } } : { m: 'net_rx_bytes_per_sec', l: { iface: `eth${i}` } },
);

const dir = mkdtempSync(join(tmpdir(), 'metrix-bench-'));
const path = join(dir, 'bench.db');
const store = Store.open(path);

let written = 0;
const t0 = process.hrtime.bigint();
for (let minute = 0; minute < minutes; minute++) {
  const ts = start + minute * STEP;
  const polls: PollRecord[] = [];
  for (let h = 0; h < hosts; h++) {
    const samples = shape.map((s, i) => ({ ...s, v: Math.round(((Math.sin(minute / 30 + h + i) + 1) * 50 + (i % 7)) * 10) / 10 }));
    polls.push({ host: `node${String(h).padStart(3, '0')}`, ts, durationMs: 150, failure: undefined, collector: 'bench', samples });
    written += samples.length;
  }
  store.writeRun({ startedAt: ts, finishedAt: ts + 2000, polls });
}
const insertSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
store.checkpoint();
store.close();

const reader = Store.open(path, { readonly: true });
const queries = 50;
const t1 = process.hrtime.bigint();
let points = 0;
for (let q = 0; q < queries; q++) {
  const host = `node${String((q * 37) % hosts).padStart(3, '0')}`;
  for (const series of reader.range({ host, metric: 'metric_3', since: start, until: start + minutes * STEP })) points += series.points.length;
}
const queryMs = Number(process.hrtime.bigint() - t1) / 1e6 / queries;
reader.close();
const bytes = statSync(path).size;

console.log(`database: ${hosts} hosts × ${seriesPerHost} series × ${minutes} minutes = ${written.toLocaleString('en')} samples`);
console.log(`insert: ${(written / insertSeconds).toFixed(0)} samples/s (${insertSeconds.toFixed(1)} s, one transaction per run of ${hosts} hosts)`);
console.log(`24h range query, one host and metric: ${queryMs.toFixed(2)} ms (${points / queries} points, mean of ${queries} hosts)`);
console.log(`size: ${(bytes / 1048576).toFixed(1)} MiB, ${(bytes / written).toFixed(1)} bytes/sample`);
if (values.keep) console.log(`kept ${path}`);
else rmSync(dir, { recursive: true, force: true });
