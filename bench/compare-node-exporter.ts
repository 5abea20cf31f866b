/**
 * The collector's figures beside node_exporter's on this machine, over the same interval: the
 * series issue 11 added (steal, network errors and drops, disk util, OOM kills, pressure,
 * tmpfs usage, read-only mounts, hwmon) and cpu_percent for reference. Needs Debian's
 * prometheus-node-exporter (a one-off comparison; no test depends on it).
 *
 *   npm run --silent build && node dist/bench/compare-node-exporter.js [seconds=15]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Report, Sample } from '../client-script/src/protocol.js';
import { deriveRates } from '../src/metrics/derive.js';

const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const COLLECTOR = fileURLToPath(new URL('../collector/metrix-collector.js', import.meta.url));

interface Scrape {
  readonly ts: number;
  readonly series: ReadonlyArray<{ name: string; labels: Record<string, string>; value: number }>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The Prometheus text format, as far as node_exporter writes it. */
function parseExposition(text: string, ts: number): Scrape {
  const series: Scrape['series'][number][] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    series.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return { ts, series };
}

async function scrape(port: number): Promise<Scrape> {
  const started = Date.now();
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return parseExposition(text, (started + Date.now()) / 2);
}

function collect(): Report {
  const run = spawnSync(process.execPath, [COLLECTOR, '--print', '--key', '/nonexistent'], { encoding: 'utf8', timeout: 20_000 });
  if (run.status !== 0) throw new Error(`collector: exit ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Report;
}

const sum = (s: Scrape, name: string, where: (l: Record<string, string>) => boolean = () => true): number =>
  s.series.filter((x) => x.name === name && where(x.labels)).reduce((a, x) => a + x.value, 0);
const one = (s: Scrape, name: string, labels: Record<string, string>): number | undefined =>
  s.series.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value;
const valueOf = (samples: readonly Sample[], m: string, l?: Record<string, string>): number | undefined =>
  samples.find((s) => s.m === m && JSON.stringify(s.l ?? {}) === JSON.stringify(l ?? {}))?.v;

/** "node_exporter, version 1.5.0 (…)": the first line it prints, on whichever stream. */
function versionOf(): string {
  const run = spawnSync(NODE_EXPORTER, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return `${run.stdout}${run.stderr}`.split('\n')[0]!.replace(/^node_exporter, /, '');
}

async function main(): Promise<void> {
  if (!existsSync(NODE_EXPORTER)) {
    console.log(`node_exporter not installed (apt-get install prometheus-node-exporter): nothing to compare`);
    return;
  }
  const seconds = Number(process.argv[2] ?? 15);
  const port = await freePort();
  // /dev/shm and /run are under node_exporter's default mount-point exclusion; the tmpfs figures need them.
  const exporter = spawn(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${port}`, '--collector.filesystem.mount-points-exclude=^/(proc|sys)($|/)', '--no-collector.textfile'], { stdio: 'ignore' });
  const killer = setTimeout(() => exporter.kill('SIGKILL'), (seconds + 60) * 1000);
  try {
    let first: Scrape | undefined;
    for (const deadline = Date.now() + 15_000; first === undefined && Date.now() < deadline;) {
      try {
        first = await scrape(port);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    if (first === undefined) throw new Error('node_exporter did not answer within 15 s');
    const c0 = collect();
    first = await scrape(port); // right before and after the collector: the same interval, give or take its run
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const c1 = collect();
    const second = await scrape(port);
    const rates = deriveRates({ ts: c0.countersAt ?? c0.ts, counters: c0.counters }, { ts: c1.countersAt ?? c1.ts, counters: c1.counters });
    const dt = (second.ts - first.ts) / 1000;
    const rate = (name: string, labels: Record<string, string> = {}): number => ((one(second, name, labels) ?? NaN) - (one(first, name, labels) ?? NaN)) / dt;

    const rows: Array<[string, number | undefined, number]> = [];
    const cpuDelta = (mode?: string): number => sum(second, 'node_cpu_seconds_total', (l) => mode === undefined || l['mode'] === mode) - sum(first, 'node_cpu_seconds_total', (l) => mode === undefined || l['mode'] === mode);
    rows.push(['cpu_percent', valueOf(rates, 'cpu_percent'), (100 * (cpuDelta() - cpuDelta('idle') - cpuDelta('iowait'))) / cpuDelta()]);
    rows.push(['cpu_steal_percent', valueOf(rates, 'cpu_steal_percent'), (100 * cpuDelta('steal')) / cpuDelta()]);
    for (const s of c1.counters.filter((x) => x.m === 'net_rx_errors_total')) {
      const device = s.l!['iface']!;
      rows.push([`net_rx_errors_per_sec{iface=${device}}`, valueOf(rates, 'net_rx_errors_per_sec', s.l), rate('node_network_receive_errs_total', { device })]);
      rows.push([`net_tx_errors_per_sec{iface=${device}}`, valueOf(rates, 'net_tx_errors_per_sec', s.l), rate('node_network_transmit_errs_total', { device })]);
      rows.push([`net_rx_drops_per_sec{iface=${device}}`, valueOf(rates, 'net_rx_drops_per_sec', s.l), rate('node_network_receive_drop_total', { device })]);
      rows.push([`net_tx_drops_per_sec{iface=${device}}`, valueOf(rates, 'net_tx_drops_per_sec', s.l), rate('node_network_transmit_drop_total', { device })]);
    }
    for (const s of c1.counters.filter((x) => x.m === 'disk_io_ms_total')) {
      rows.push([`disk_util_percent{device=${s.l!['device']}}`, valueOf(rates, 'disk_util_percent', s.l), 100 * rate('node_disk_io_time_seconds_total', { device: s.l!['device']! })]);
    }
    rows.push(['oom_kills', valueOf(rates, 'oom_kills'), rate('node_vmstat_oom_kill') * dt]);
    const psi: Array<[string, string, string]> = [
      ['some', 'cpu', 'node_pressure_cpu_waiting_seconds_total'], ['some', 'memory', 'node_pressure_memory_waiting_seconds_total'],
      ['full', 'memory', 'node_pressure_memory_stalled_seconds_total'], ['some', 'io', 'node_pressure_io_waiting_seconds_total'],
      ['full', 'io', 'node_pressure_io_stalled_seconds_total'],
    ];
    for (const [kind, resource, name] of psi) rows.push([`pressure_${kind}_percent{resource=${resource}}`, valueOf(rates, `pressure_${kind}_percent`, { resource }), 100 * rate(name)]);
    for (const fs of second.series.filter((x) => x.name === 'node_filesystem_size_bytes' && x.labels['fstype'] === 'tmpfs')) {
      const mount = fs.labels['mountpoint']!;
      const free = one(second, 'node_filesystem_free_bytes', { mountpoint: mount })!;
      const avail = one(second, 'node_filesystem_avail_bytes', { mountpoint: mount })!;
      const used = fs.value - free;
      rows.push([`disk_used_percent{mount=${mount}}`, valueOf(c1.gauges, 'disk_used_percent', { mount }), used + avail > 0 ? (100 * used) / (used + avail) : NaN]);
      rows.push([`fs_readonly{mount=${mount}}`, valueOf(c1.gauges, 'fs_readonly', { mount }), one(second, 'node_filesystem_readonly', { mountpoint: mount }) ?? NaN]);
    }
    for (const s of c1.gauges.filter((x) => x.m === 'hwmon_temp_c')) {
      const chips = second.series.filter((x) => x.name === 'node_hwmon_chip_names' && x.labels['chip_name'] === s.l!['chip']).map((x) => x.labels['chip']);
      const temps = second.series.filter((x) => x.name === 'node_hwmon_temp_celsius' && chips.includes(x.labels['chip'])).map((x) => x.value);
      rows.push([`hwmon_temp_c{chip=${s.l!['chip']}}`, s.v, temps.length ? Math.max(...temps) : NaN]);
    }
    console.log(`metrix collector vs node_exporter ${versionOf()}, over ${dt.toFixed(1)} s (collector ${((c1.countersAt! - c0.countersAt!) / 1000).toFixed(1)} s)`);
    console.log(`${'series'.padEnd(44)} ${'metrix'.padStart(10)} ${'node_exp'.padStart(10)} ${'diff'.padStart(8)}`);
    let worst = 0;
    for (const [name, mine, theirs] of rows) {
      const diff = mine === undefined || !Number.isFinite(theirs) ? NaN : mine - theirs;
      if (Number.isFinite(diff)) worst = Math.max(worst, Math.abs(diff));
      const show = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(3));
      console.log(`${name.padEnd(44)} ${show(mine).padStart(10)} ${show(theirs).padStart(10)} ${show(diff).padStart(8)}`);
    }
    console.log(`largest difference: ${worst.toFixed(3)}`);
  } finally {
    clearTimeout(killer);
    exporter.kill('SIGTERM');
  }
}

await main();
