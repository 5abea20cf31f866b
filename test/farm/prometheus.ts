import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './hostile.js';
import { killQuietly, killTree, track, untrack } from './processes.js';

export const PROMETHEUS = '/usr/bin/prometheus';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 20_000;
const POLL_MS = 100;
const PORT_ATTEMPTS = 5;

/**
 * Why the Prometheus tests cannot run here, or undefined when they can. Only a machine with no
 * prometheus binary skips (loudly); METRIX_REQUIRE_PROMETHEUS=1 turns even that into a failure.
 */
export function prometheusMissing(): string | undefined {
  if (existsSync(PROMETHEUS)) return undefined;
  const reason = `${PROMETHEUS} not found: Prometheus integration tests SKIPPED. Install it: apt-get install -y prometheus`;
  if (process.env['METRIX_REQUIRE_PROMETHEUS'] === '1') throw new Error(reason);
  console.error(`\n${'!'.repeat(72)}\n!! ${reason}\n${'!'.repeat(72)}\n`);
  return reason;
}

/** One scrape job, written into prometheus.yml by startPrometheus. */
export interface ScrapeJob {
  readonly job: string;
  /** host:port */
  readonly target: string;
  /** Default /metrics. */
  readonly path?: string;
  /** Default http. */
  readonly scheme?: 'http' | 'https';
  /** Prometheus duration, default 1s (tests wait for the first scrape). */
  readonly interval?: string;
  readonly bearerToken?: string;
  /** For a self-signed certificate. */
  readonly insecureSkipVerify?: boolean;
}

export interface PrometheusOptions {
  /** The whole prometheus.yml; when given, `scrape` is ignored. */
  readonly config?: string;
  readonly scrape?: readonly ScrapeJob[];
  /** More command-line flags. */
  readonly args?: readonly string[];
}

/** One series of a query's answer; an instant vector has one sample per series, a scalar one series with no labels. */
export interface PromSeries {
  readonly metric: Readonly<Record<string, string>>;
  /** Timestamps in milliseconds; values as numbers (NaN, ±Inf included). */
  readonly samples: ReadonlyArray<{ readonly t: number; readonly v: number }>;
}

export type PromTime = number | Date;

export interface PrometheusServer {
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** http://127.0.0.1:PORT/api/v1/write (the receiver is on). */
  readonly remoteWriteUrl: string;
  /** The TSDB directory, kept across restart(), removed by stop(). */
  readonly dataDir: string;
  /** The running process (changes on restart). */
  readonly pid: number;
  /** Everything Prometheus logged since it was (re)started. */
  log(): string;
  /** An instant query (`time` in ms or a Date; default: Prometheus's now). */
  query(promql: string, time?: PromTime): Promise<PromSeries[]>;
  /** A range query; `step` in seconds. */
  queryRange(promql: string, start: PromTime, end: PromTime, step: number): Promise<PromSeries[]>;
  /** Any GET under /api/v1/ (series, labels, targets…): the `data` of the answer. */
  api(path: string, params?: Readonly<Record<string, string>>): Promise<unknown>;
  /**
   * Runs `query` until `accept` holds for its answer or `timeoutMs` passes (then throws with the
   * last answer): for what Prometheus does on its own schedule, a scrape.
   */
  waitFor(promql: string, accept: (series: PromSeries[]) => boolean, timeoutMs?: number): Promise<PromSeries[]>;
  /** SIGTERM, SIGKILL past a deadline; the data survives for restart(). */
  halt(): Promise<void>;
  /** Stops (if running) and starts again on the same port with the same data and config. */
  restart(): Promise<void>;
  /** Stops for good and removes the data directory. Call in afterAll/finally. */
  stop(): Promise<void>;
}

/**
 * Starts a real Prometheus on 127.0.0.1 on a free port, with its remote-write receiver on and
 * its own temporary TSDB, and waits until /-/ready answers.
 */
export async function startPrometheus(options: PrometheusOptions = {}): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'metrix-prometheus-'));
  const dataDir = join(dir, 'data');
  const configPath = join(dir, 'prometheus.yml');
  await writeFile(configPath, options.config ?? prometheusYaml(options.scrape ?? []));
  let lastError = '';
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    const args = prometheusArgs(configPath, dataDir, port, options.args ?? []);
    const started = await launch(args, port);
    if (typeof started !== 'string') return server(started, args, port, dir, dataDir);
    lastError = started;
    if (!/address already in use/i.test(started)) break;
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`prometheus did not start: ${lastError}`);
}

/** prometheus.yml for scrape jobs (none: Prometheus only receives remote write). */
export function prometheusYaml(jobs: readonly ScrapeJob[]): string {
  const lines = ['global:', '  scrape_interval: 15s', '  evaluation_interval: 15s', 'scrape_configs:'];
  if (jobs.length === 0) return `${lines.slice(0, 3).join('\n')}\nscrape_configs: []\n`;
  for (const job of jobs) {
    lines.push(
      `  - job_name: ${JSON.stringify(job.job)}`,
      `    scrape_interval: ${job.interval ?? '1s'}`,
      `    scrape_timeout: ${job.interval ?? '1s'}`,
      `    metrics_path: ${JSON.stringify(job.path ?? '/metrics')}`,
      `    scheme: ${job.scheme ?? 'http'}`,
    );
    if (job.bearerToken !== undefined) lines.push('    authorization:', '      type: Bearer', `      credentials: ${JSON.stringify(job.bearerToken)}`);
    if (job.insecureSkipVerify === true) lines.push('    tls_config:', '      insecure_skip_verify: true');
    lines.push('    static_configs:', `      - targets: [${JSON.stringify(job.target)}]`);
  }
  return `${lines.join('\n')}\n`;
}

function prometheusArgs(configPath: string, dataDir: string, port: number, extra: readonly string[]): string[] {
  return [
    `--config.file=${configPath}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-remote-write-receiver',
    '--log.level=info',
    ...extra,
  ];
}

interface Running {
  readonly child: ChildProcess;
  readonly output: { text: string };
  readonly exited: Promise<void>;
}

/** Spawns Prometheus and waits for /-/ready; a string says why it did not come up. */
async function launch(args: readonly string[], port: number): Promise<Running | string> {
  const child = spawn(PROMETHEUS, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid !== undefined) track(pid);
  const output = { text: '' };
  for (const stream of [child.stdout, child.stderr]) stream?.setEncoding('utf8').on('data', (chunk: string) => (output.text += chunk));
  let gone = child.exitCode !== null;
  const exited = new Promise<void>((resolve) => {
    if (gone) resolve();
    child.once('exit', () => {
      gone = true;
      if (pid !== undefined) untrack(pid);
      resolve();
    });
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!gone && Date.now() < deadline) {
    if (await isReady(port)) return { child, output, exited };
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, POLL_MS))]);
  }
  if (!gone && pid !== undefined) {
    killTree(pid);
    await exited;
  }
  return gone ? `prometheus exited with ${child.exitCode}: ${output.text.slice(-2000)}` : `not ready within ${READY_TIMEOUT_MS} ms: ${output.text.slice(-2000)}`;
}

async function isReady(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/-/ready`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL when it has not exited by the deadline. */
async function terminate(running: Running): Promise<void> {
  const pid = running.child.pid;
  if (pid === undefined || running.child.exitCode !== null || running.child.signalCode !== null) return;
  killQuietly(pid, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS)));
  const killed = await Promise.race([running.exited.then(() => false), late]);
  clearTimeout(timer);
  if (killed) {
    killTree(pid);
    await running.exited;
  }
}

function server(first: Running, args: readonly string[], port: number, dir: string, dataDir: string): PrometheusServer {
  let running: Running | undefined = first;
  const url = `http://127.0.0.1:${port}`;
  const api = async (path: string, params: Readonly<Record<string, string>> = {}): Promise<unknown> => {
    const query = new URLSearchParams(params).toString();
    const response = await fetch(`${url}/api/v1/${path}${query === '' ? '' : `?${query}`}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const body = (await response.json()) as { status?: string; data?: unknown; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path} ${query}: HTTP ${response.status}: ${body.error ?? JSON.stringify(body)}`);
    return body.data;
  };
  const query = async (promql: string, time?: PromTime): Promise<PromSeries[]> =>
    toSeries(await api('query', { query: promql, ...(time === undefined ? {} : { time: seconds(time) }) }));
  const halt = async (): Promise<void> => {
    if (running === undefined) return;
    await terminate(running);
    running = undefined;
  };
  return {
    port,
    url,
    remoteWriteUrl: `${url}/api/v1/write`,
    dataDir,
    get pid() {
      return running?.child.pid ?? -1;
    },
    log: () => running?.output.text ?? '',
    query,
    queryRange: async (promql, start, end, step) => toSeries(await api('query_range', { query: promql, start: seconds(start), end: seconds(end), step: String(step) })),
    api,
    waitFor: async (promql, accept, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      let last: PromSeries[] = [];
      for (;;) {
        last = await query(promql);
        if (accept(last)) return last;
        if (Date.now() > deadline) throw new Error(`prometheus: ${promql} not as expected within ${timeoutMs} ms; last answer: ${JSON.stringify(last)}`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS * 2));
      }
    },
    halt,
    restart: async () => {
      await halt();
      const started = await launch(args, port);
      if (typeof started === 'string') throw new Error(`prometheus did not restart on port ${port}: ${started}`);
      running = started;
    },
    stop: async () => {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function seconds(time: PromTime): string {
  const ms = typeof time === 'number' ? time : time.getTime();
  return (ms / 1000).toFixed(3);
}

type RawSample = [number, string];
interface RawData {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown;
}

function toSeries(data: unknown): PromSeries[] {
  const { resultType, result } = data as RawData;
  const sample = ([t, v]: RawSample): { t: number; v: number } => ({ t: Math.round(t * 1000), v: Number(v) });
  switch (resultType) {
    case 'vector':
      return (result as Array<{ metric: Record<string, string>; value: RawSample }>).map((s) => ({ metric: s.metric, samples: [sample(s.value)] }));
    case 'matrix':
      return (result as Array<{ metric: Record<string, string>; values: RawSample[] }>).map((s) => ({ metric: s.metric, samples: s.values.map(sample) }));
    case 'scalar':
      return [{ metric: {}, samples: [sample(result as RawSample)] }];
    default:
      throw new Error(`prometheus: unexpected result type ${resultType}`);
  }
}
