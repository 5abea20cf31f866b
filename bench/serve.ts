/**
 * bench:serve — metrix serve under load, on 127.0.0.1, bounded runs (autocannon, a few seconds
 * each): the overview API and page at 1,000 hosts, a 24 h query of one series side by side with
 * a real Prometheus' query_range over the same samples in the same run, and /metrics at
 * 1,000 hosts × 40 series. The server is the real `bin/metrix.js serve` process; the load
 * comes from this one.
 *
 *   npm run bench:serve [-- --hosts 1000 --series 40 --interval 300 --seconds 3 --connections 10]
 *
 * The store holds 24 h of polls every `interval` seconds (default 5 min: 288 polls a host,
 * 11.5 M samples at 1,000 × 40; --interval 60 for 1,440). Prometheus gets, through promtool's
 * create-blocks-from openmetrics, every host's cpu_percent and all series of the host queried.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { newToken, tokenHash } from '../src/serve/passwords.js';
import { defaultAssetDir } from '../src/serve/server.js';
import { Store } from '../src/store/store.js';
import { startPrometheus } from '../test/farm/prometheus.js';
import { processCpuMs } from './proc.js';
import { hostName, pollOf, shapeOf } from './store-data.js';

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  throughput: { average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface CannonRequest {
  path: string;
}
type Cannon = (options: {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
  requests?: Array<{ setupRequest: (request: CannonRequest) => CannonRequest }>;
}) => Promise<CannonResult>;

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    series: { type: 'string', default: '40' },
    interval: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
  },
});
const HOSTS = Number(values.hosts);
const SERIES = Number(values.series);
const INTERVAL_MS = Number(values.interval) * 1000;
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const DAY_MS = 86_400_000;
const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'metrix.js');

const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

function line(label: string, r: CannonResult & { cpuMs?: number }, not2xxExpected = false): string {
  const bad = (not2xxExpected ? 0 : r.non2xx) + r.errors + r.timeouts;
  // The server's CPU per answer: on a machine others load, req/s follows the CPU it was given; this does not.
  const cpu = r.cpuMs === undefined || r.requests.total === 0 ? '' : `   ${((r.cpuMs * 1000) / r.requests.total).toFixed(0).padStart(5)} µs CPU/req`;
  return `${label.padEnd(46)} ${Math.round(r.requests.average).toString().padStart(7)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   ${(r.throughput.average / 1e6).toFixed(1).padStart(6)} MB/s${cpu}${bad ? `   (${bad} not 2xx/errors!)` : ''}`;
}

/** Runs autocannon and notes the CPU the process `pid` used meanwhile. */
async function measured(pid: number | undefined, run: () => Promise<CannonResult>): Promise<CannonResult & { cpuMs?: number }> {
  const before = pid === undefined ? undefined : processCpuMs(pid);
  const result = await run();
  const after = pid === undefined ? undefined : processCpuMs(pid);
  return before === undefined || after === undefined ? result : { ...result, cpuMs: after - before };
}

function build(dir: string, now: number): { database: string; token: string; firstTs: number } {
  const database = join(dir, 'metrix.db');
  const store = Store.open(database);
  const shape = shapeOf(SERIES);
  const polls = Math.floor(DAY_MS / INTERVAL_MS);
  const firstTs = now - polls * INTERVAL_MS;
  const started = Date.now();
  for (let i = 1; i <= polls; i++) {
    const ts = firstTs + i * INTERVAL_MS;
    const minute = (i * INTERVAL_MS) / 60_000;
    store.writeRun({ startedAt: ts - 2000, finishedAt: ts, polls: Array.from({ length: HOSTS }, (_, h) => pollOf(shape, h, minute, ts)) });
  }
  const token = newToken();
  store.transaction(() => {
    store.users.put('bench', 'viewer', 'scrypt$1$1$1$AAAA$AAAA', now);
    store.users.addToken(store.users.find('bench')!.id, tokenHash(token), now);
  });
  store.checkpoint();
  store.close();
  console.log(`store: ${HOSTS} hosts × ${SERIES} series, ${polls} polls each over 24 h (${((HOSTS * SERIES * polls) / 1e6).toFixed(1)} M samples) written in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return { database, token, firstTs };
}

/** The samples Prometheus gets, as OpenMetrics: every host's cpu_percent, and all series of host 0. */
function openMetrics(file: string, firstTs: number): void {
  const shape = shapeOf(SERIES);
  const polls = Math.floor(DAY_MS / INTERVAL_MS);
  const out: string[] = [];
  const labels = (host: string, l: Record<string, string> | undefined): string => `{host="${host}"${Object.entries(l ?? {}).map(([k, v]) => `,${k}="${v}"`).join('')}}`;
  const byMetric = new Map<string, string[]>();
  const add = (h: number, wanted: (m: string) => boolean): void => {
    for (let i = 1; i <= polls; i++) {
      const ts = firstTs + i * INTERVAL_MS;
      const poll = pollOf(shape, h, (i * INTERVAL_MS) / 60_000, ts);
      for (const s of poll.samples) {
        if (!wanted(s.m)) continue;
        const list = byMetric.get(s.m) ?? [];
        list.push(`${s.m}${labels(poll.host, s.l as Record<string, string> | undefined)} ${s.v} ${ts / 1000}`);
        byMetric.set(s.m, list);
      }
    }
  };
  add(0, () => true);
  for (let h = 1; h < HOSTS; h++) add(h, (m) => m === 'cpu_percent');
  for (const [metric, lines] of byMetric) {
    // One family together, each series in time order (lines were added host by host, poll by poll, so sort by series then time).
    out.push(`# TYPE ${metric} ${metric.endsWith('_total') || metric.endsWith('_jiffies') ? 'unknown' : 'gauge'}`);
    const bySeries = new Map<string, string[]>();
    for (const l of lines) {
      const key = l.slice(0, l.indexOf('}') + 1);
      bySeries.set(key, [...(bySeries.get(key) ?? []), l]);
    }
    for (const series of bySeries.values()) out.push(...series);
  }
  out.push('# EOF');
  writeFileSync(file, `${out.join('\n')}\n`);
}

function startServe(dir: string, assets: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--assets', assets], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const match = /serving (http:\/\/\S+)/.exec(err);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'metrix-bench-serve-'));
let serveChild: ChildProcess | undefined;
let prometheus: Awaited<ReturnType<typeof startPrometheus>> | undefined;
try {
  const now = Date.now();
  writeFileSync(
    join(dir, 'config.xml'),
    `<metrix>\n  <settings database="./metrix.db" keys="./keys" retention="30d"/>\n  <hosts>\n${Array.from({ length: HOSTS }, (_, h) => `    <host name="${hostName(h)}" transport="local" groups="rack${Math.floor(h / 40)}"/>`).join('\n')}\n  </hosts>\n</metrix>\n`,
  );
  const { token, firstTs } = build(dir, now);
  let assets = defaultAssetDir();
  if (!existsSync(join(assets, 'overview.html'))) {
    assets = join(dir, 'web');
    mkdirSync(assets);
    writeFileSync(join(assets, 'overview.html'), `<!doctype html><html><head><title>metrix</title><link rel="stylesheet" href="/static/app.css"><script type="module" src="/static/overview.js"></script></head><body>${'<!-- page -->'.repeat(200)}</body></html>`);
    console.log('(no built pages in dist/web: a stand-in overview.html of 2.7 KB)');
  }
  const served = await startServe(dir, assets);
  serveChild = served.child;
  const auth = { authorization: `Bearer ${token}` };
  const run = (path: string, headers: Record<string, string> = auth): Promise<CannonResult> =>
    measured(served.child.pid, () => autocannon({ url: `${served.url}${path}`, connections: CONNECTIONS, duration: SECONDS, headers }));

  const first = Date.now();
  const hostsBody = await fetch(`${served.url}/api/v1/hosts`, { headers: auth });
  const hostsText = await hostsBody.text();
  const firstOverviewMs = Date.now() - first;
  const t0 = Date.now();
  const metricsText = await (await fetch(`${served.url}/metrics`, { headers: auth })).text();
  const firstMetricsMs = Date.now() - t0;
  console.log(`first /api/v1/hosts after a data change: ${firstOverviewMs} ms (${(hostsText.length / 1024).toFixed(0)} KB); first /metrics: ${firstMetricsMs} ms (${(metricsText.length / 1e6).toFixed(1)} MB, ${metricsText.split('\n').filter((l) => l && !l.startsWith('#')).length} samples); both then kept until the database changes`);
  // Another commit (as the poller's next run would make) empties the cache: time the next answers, caches of ids warm.
  const writer = Store.open(join(dir, 'metrix.db'));
  writer.users.put('touch', 'viewer', 'scrypt$1$1$1$AAAA$AAAA', Date.now());
  writer.close();
  const t1 = Date.now();
  await (await fetch(`${served.url}/api/v1/hosts`, { headers: auth })).text();
  const warmOverviewMs = Date.now() - t1;
  const t2 = Date.now();
  await (await fetch(`${served.url}/metrics`, { headers: auth })).text();
  console.log(`after the next commit to the database (a user added, no poll): /api/v1/hosts ${warmOverviewMs} ms, /metrics ${Date.now() - t2} ms`);
  // A run that polls every host (the poller's next cycle, 1 s after the last): every host's latest poll is new.
  const poller = Store.open(join(dir, 'metrix.db'));
  const shape = shapeOf(SERIES);
  const nextTs = now + 1000;
  const minute = (Math.floor(DAY_MS / INTERVAL_MS) * INTERVAL_MS + 1000) / 60_000;
  poller.writeRun({ startedAt: nextTs - 2000, finishedAt: nextTs, polls: Array.from({ length: HOSTS }, (_, h) => pollOf(shape, h, minute, nextTs)) });
  poller.close();
  const t3 = Date.now();
  await (await fetch(`${served.url}/api/v1/hosts`, { headers: auth })).text();
  const runOverviewMs = Date.now() - t3;
  const t4 = Date.now();
  await (await fetch(`${served.url}/metrics`, { headers: auth })).text();
  const runMetricsMs = Date.now() - t4;
  const t5 = Date.now();
  await (await fetch(`${served.url}/metrics`, { headers: { ...auth, 'accept-encoding': 'gzip' } })).arrayBuffer();
  console.log(`after a run that polled all ${HOSTS} hosts: /api/v1/hosts ${runOverviewMs} ms, /metrics ${runMetricsMs} ms, then gzipped ${Date.now() - t5} ms`);
  console.log(`autocannon: ${CONNECTIONS} connections, ${SECONDS} s each, metrix serve as its own process\n`);
  console.log(line(`GET /api/v1/hosts (${HOSTS} hosts)`, await run('/api/v1/hosts')));
  const etag = (await fetch(`${served.url}/api/v1/hosts`, { headers: auth })).headers.get('etag') ?? '';
  console.log(line('GET /api/v1/hosts, If-None-Match (304)', await run('/api/v1/hosts', { ...auth, 'if-none-match': etag }), true));
  console.log(line('GET / (overview page)', await run('/')));
  console.log(line(`GET /metrics (${HOSTS} × ${SERIES})`, await run('/metrics')));
  console.log(line('GET /metrics, gzip (as Prometheus asks)', await run('/metrics', { ...auth, 'accept-encoding': 'gzip' })));

  // Prometheus over the same samples.
  const om = join(dir, 'samples.om');
  openMetrics(om, firstTs);
  prometheus = await startPrometheus({ args: ['--storage.tsdb.retention.time=30d'] });
  await prometheus.halt();
  const loaded = Date.now();
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, prometheus.dataDir], { stdio: 'pipe', timeout: 600_000 });
  await prometheus.restart();
  const points = (await prometheus.queryRange('cpu_percent{host="node000"}', new Date(now - DAY_MS), new Date(now), INTERVAL_MS / 1000))[0]?.samples.length ?? 0;
  console.log(`\nPrometheus ${execFileSync('prometheus', ['--version'], { encoding: 'utf8' }).split('\n')[0]!.split(' ')[2]}: blocks made by promtool in ${((Date.now() - loaded) / 1000).toFixed(0)} s; its query_range gives ${points} points`);
  const ours = await (await fetch(`${served.url}/api/v1/query?host=node000&metric=cpu_percent&since=24h`, { headers: auth })).json() as { series: Array<{ points: unknown[] }> };
  console.log(`metrix /api/v1/query gives ${ours.series[0]?.points.length ?? 0} points (raw samples)\n`);
  const end = Math.floor(now / 1000);
  const promPath = `/api/v1/query_range?query=${encodeURIComponent('cpu_percent{host="node000"}')}&start=${end - 86_400}&end=${end}&step=${INTERVAL_MS / 1000}`;
  let distinct = 0;
  const promUrl = prometheus.url;
  const side = [
    ['metrix  GET /api/v1/query 24 h, one series', await run('/api/v1/query?host=node000&metric=cpu_percent&since=24h')],
    ['Prometheus query_range 24 h, same series', await measured(prometheus.pid, () => autocannon({ url: `${promUrl}${promPath}`, connections: CONNECTIONS, duration: SECONDS }))],
    [
      'metrix  same, each request a new range (no cache)',
      await measured(served.child.pid, () => autocannon({
        url: served.url,
        connections: CONNECTIONS,
        duration: SECONDS,
        headers: auth,
        requests: [
          {
            setupRequest: (request) => {
              const until = now - (distinct++ % 3_600_000);
              const iso = (ms: number): string => new Date(ms).toISOString();
              return { ...request, path: `/api/v1/query?host=node000&metric=cpu_percent&since=${iso(until - DAY_MS)}&until=${iso(until)}` };
            },
          },
        ],
      })),
    ],
    ['metrix  same, ?format=csv', await run('/api/v1/query?host=node000&metric=cpu_percent&since=24h&format=csv')],
    ['metrix  24 h with step=15m agg=max', await run('/api/v1/query?host=node000&metric=cpu_percent&since=24h&step=15m&agg=max')],
  ] as const;
  for (const [label, result] of side) console.log(line(label, result));
} finally {
  serveChild?.kill('SIGTERM');
  await prometheus?.stop();
  rmSync(dir, { recursive: true, force: true });
}
