/**
 * `metrix run` as the real CLI in a child process, measured over steady cycles: the first
 * cycle (which dials and starts the resident collectors) is left out, and so are `settle`
 * more (the residents' code is still being compiled by V8's tiers); the window runs from the
 * log line of the last cycle left out to that of the last measured cycle. Then SIGTERM, and
 * how it ended.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { nextBoundary } from '../src/poll/schedule.js';
import { metrixArgv } from './metrix-cli.js';
import { memoryKiB, pidsWithArgs, processCpuMs, smapsKiB } from './proc.js';
import { snapshot, usageBetween, type Snapshot, type Usage } from './window.js';

export interface CycleLine {
  readonly n: number;
  /** When the line was logged (the cycle's end), by the run's own clock. */
  readonly at: number;
  readonly hosts: number;
  readonly ok: number;
  readonly failed: number;
  /** From its start on the wall-clock boundary (the first: from the process's start) to its log line. */
  readonly wallMs: number;
}

export interface WarmRun {
  /** The first cycle: it dials and starts every resident collector. */
  readonly dialCycle: CycleLine | undefined;
  /** From the process's start to the first cycle's end; the poller's CPU in that time. */
  readonly dialUsage: Usage | undefined;
  readonly dialPollerCpuMs: number;
  /** The cycles after the first and before the measured ones, while the residents' code warms up. */
  readonly settleCycles: readonly CycleLine[];
  readonly settleUsage: Usage | undefined;
  readonly settlePollerCpuMs: number;
  /** The measured (steady) cycles. */
  readonly cycles: readonly CycleLine[];
  /** Over the steady cycles. */
  readonly usage: Usage | undefined;
  /** From the process's start to the last measured cycle: the dialing cycle included. */
  readonly usageWithDial: Usage | undefined;
  /** user + sys of the run process over the steady cycles. */
  readonly pollerCpuMs: number;
  readonly rssAtStartKiB: number;
  readonly rssAtEndKiB: number;
  readonly peakRssKiB: number;
  /** PSS of one resident collector (the median of a few), host-side memory per host. */
  readonly residentPssKiB: number | undefined;
  readonly warnings: readonly string[];
  readonly exit: number | null;
  /** From SIGTERM to the process's exit. */
  readonly stopMs: number;
  /** Every cycle after the first with its own figures, with traceCycles. */
  readonly trace: readonly CycleTrace[];
  /** When the first measured cycle started and the last ended, by the run's clock. */
  readonly from: number;
  readonly to: number;
}

const CYCLE = /^(\S+Z) INFO cycle (\d+): (\d+) hosts? in [\d.]+s: (\d+) ok, (\d+) failed/;

export interface WarmRunOptions {
  readonly config: string;
  readonly cwd: string;
  readonly every: string;
  readonly everyMs: number;
  /** Cycles after the first left out before the measured ones (0: measure from the second on). */
  readonly settle?: number;
  /** SIGTERM after this many measured cycles, or this long after the start. */
  readonly stop: { readonly cycles: number } | { readonly afterMs: number };
  readonly daemons: readonly number[];
  /** Marks the resident collectors' command lines (the farm's remote dir). */
  readonly residentMarker: string;
  /** More node options, e.g. --cpu-prof. */
  readonly nodeOptions?: readonly string[];
  /** Records the whole machine with `perf record -a -g` over the measured window into this file. */
  readonly perfFile?: string;
  /** Measures every cycle on its own too (a pass over /proc per cycle): see WarmRun.trace. */
  readonly traceCycles?: boolean;
}

/** One cycle's own figures, from the line of the cycle before to its own. */
export interface CycleTrace {
  readonly cycle: CycleLine;
  readonly usage: Usage;
  readonly pollerCpuMs: number;
  /** The run process's RSS and its high-water mark at the cycle's line. */
  readonly rssKiB: number;
  readonly hwmKiB: number;
}

interface Mark {
  readonly snap: Snapshot;
  readonly cpu: number;
}

export function measureWarmRun(options: WarmRunOptions): Promise<WarmRun> {
  const [node, ...argv] = metrixArgv(['run', '--every', options.every, '-c', options.config], options.nodeOptions);
  const spawned: Mark = { snap: snapshot(options.daemons), cpu: 0 };
  const spawnedAt = Date.now();
  const child = spawn(node!, argv, { cwd: options.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const pid = child.pid!;
  const mark = (): Mark => ({ snap: snapshot(options.daemons), cpu: processCpuMs(pid) ?? NaN });
  const settle = options.settle ?? 0;
  const settleCycles: CycleLine[] = [];
  const cycles: CycleLine[] = [];
  const warnings: string[] = [];
  let dialCycle: CycleLine | undefined;
  let previousAt: number | undefined;
  let rssAtStartKiB = NaN;
  let dialed: Mark | undefined;
  let previousMark: Mark | undefined;
  const trace: CycleTrace[] = [];
  let start: Mark | undefined;
  let perf: ReturnType<typeof spawn> | undefined;
  let end: (Mark & { rss: number; pss: number | undefined }) | undefined;
  let peakRssKiB = 0;
  let stoppedAt = 0;
  // A process on its way out (a zombie) has no Vm* lines: NaN, skipped.
  const sample = (): void => void (peakRssKiB = Math.max(peakRssKiB, memoryKiB(pid)?.hwm || 0));
  const sampler = setInterval(sample, 100);
  const terminate = (): void => {
    if (stoppedAt) return;
    stoppedAt = performance.now();
    child.kill('SIGTERM');
  };
  const byTime = 'afterMs' in options.stop ? setTimeout(terminate, options.stop.afterMs) : undefined;
  const maxCycles = 'cycles' in options.stop ? options.stop.cycles : Infinity;
  // A run that stops making progress is killed: the figures then say what it did.
  const limitMs = ('afterMs' in options.stop ? options.stop.afterMs : (maxCycles + (options.settle ?? 0) + 2) * options.everyMs) + 180_000;
  const watchdog = setTimeout(() => {
    warnings.push(`no end within ${limitMs / 1000} s: killed`);
    child.kill('SIGKILL');
  }, limitMs);

  createInterface({ input: child.stderr }).on('line', (line) => {
    if (/ WARN | ERROR /.test(line)) warnings.push(line);
    if (/ INFO polling \d+ host/.test(line)) rssAtStartKiB = memoryKiB(pid)?.rss ?? NaN;
    const m = CYCLE.exec(line);
    if (!m) return;
    const at = Date.parse(m[1]!);
    const n = Number(m[2]);
    const cycle = { n, at, hosts: Number(m[3]), ok: Number(m[4]), failed: Number(m[5]), wallMs: at - (previousAt === undefined ? spawnedAt : nextBoundary(previousAt, options.everyMs)) };
    previousAt = at;
    const last = 1 + settle + maxCycles;
    if (n === 1) dialCycle = cycle;
    else if (n <= 1 + settle) settleCycles.push(cycle);
    else if (n <= last) cycles.push(cycle);
    if (n === 1) dialed = mark();
    if (options.traceCycles) {
      const now = n === 1 ? dialed! : mark();
      const memory = memoryKiB(pid);
      const rss = { rssKiB: memory?.rss ?? NaN, hwmKiB: memory?.hwm ?? NaN };
      if (previousMark) trace.push({ cycle, usage: usageBetween(previousMark.snap, now.snap), pollerCpuMs: now.cpu - previousMark.cpu, ...rss });
      previousMark = now;
    }
    if (n === 1 + settle) {
      start = n === 1 ? dialed : mark();
      if (options.perfFile) perf = spawn('perf', ['record', '-a', '-g', '-F', '499', '-o', options.perfFile], { stdio: 'ignore' });
    }
    // Stopping by time, every cycle may be the last: each one's line ends the window so far.
    if (n > 1 + settle && (n === last || (byTime && n < last))) {
      sample();
      end = { ...mark(), rss: memoryKiB(pid)?.rss ?? NaN, pss: residentPssKiB(options.residentMarker) };
      if (n === last) perf?.kill('SIGINT');
    }
    if (n === last) terminate();
  });

  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(sampler);
      clearTimeout(watchdog);
      clearTimeout(byTime);
      resolve({
        dialCycle,
        dialUsage: dialed ? usageBetween(spawned.snap, dialed.snap) : undefined,
        dialPollerCpuMs: dialed?.cpu ?? NaN,
        settleCycles,
        settleUsage: dialed && start && settle > 0 ? usageBetween(dialed.snap, start.snap) : undefined,
        settlePollerCpuMs: dialed && start && settle > 0 ? start.cpu - dialed.cpu : NaN,
        cycles,
        usage: start && end ? usageBetween(start.snap, end.snap) : undefined,
        usageWithDial: end ? usageBetween(spawned.snap, end.snap) : undefined,
        pollerCpuMs: start && end ? end.cpu - start.cpu : NaN,
        rssAtStartKiB,
        rssAtEndKiB: end?.rss ?? NaN,
        peakRssKiB,
        residentPssKiB: end?.pss,
        warnings,
        exit: code,
        stopMs: stoppedAt ? performance.now() - stoppedAt : NaN,
        trace,
        from: cycles[0] ? cycles[0].at - cycles[0].wallMs : NaN,
        to: cycles.at(-1)?.at ?? NaN,
      });
    });
  });
}

/** The median PSS of (up to 9 of) the resident collectors whose command line holds `marker`. */
function residentPssKiB(marker: string): number | undefined {
  const pss = pidsWithArgs('--serve', marker)
    .slice(0, 9)
    .map((pid) => smapsKiB(pid)?.pss)
    .filter((kib): kib is number => kib !== undefined)
    .sort((a, b) => a - b);
  return pss.length > 0 ? pss[pss.length >> 1] : undefined;
}
