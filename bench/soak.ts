/**
 * Memory over many cycles (issue #8: RSS after cycle 100 and after cycle 2,000 within 10 MB):
 * a small local farm, `metrix upload`, then `metrix run` in a child process of its own
 * (bench/soak-child.ts, in-process on a clock that skips the waits, with --expose-gc) for N
 * cycles. Prints RSS (anonymous and file-backed apart), heapUsed and external after a full GC
 * at cycle 100 and at cycle N, and the trend. `--hosts`/`--servers` make the farm bigger.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { startBenchFarm } from './farm-layout.js';
import { metrixArgv, okCount } from './metrix-cli.js';
import { pointEvery, type SoakPoint, type SoakResult } from './soak-points.js';
import { runTimed } from './timed-command.js';

export interface SoakOptions {
  readonly cycles: number;
  readonly hosts: number;
  readonly servers: number;
}

const GOAL_MIB = 10e6 / 2 ** 20;

export async function runSoak(options: SoakOptions): Promise<void> {
  const { hosts } = options;
  const bench = await startBenchFarm({ hosts, servers: options.servers, concurrency: 25, label: 'soak' });
  try {
    const upload = await runTimed(metrixArgv(['upload', '-c', bench.config]), { cwd: bench.dir, daemons: bench.daemons, outFile: join(bench.dir, 'upload.txt') });
    console.log(`soak: ${hosts} hosts on ${bench.daemons.length} sshd, upload ${okCount(upload.output) ?? '?'} ok; metrix run in process for ${options.cycles} cycles, waits skipped; ${process.version}`);
    const result = await soakChild(bench.dir, options.cycles);
    report(result, options.cycles, hosts);
  } finally {
    await bench.stop();
  }
}

function soakChild(dir: string, cycles: number): Promise<SoakResult> {
  const script = fileURLToPath(new URL('./soak-child.js', import.meta.url));
  const child = spawn(process.execPath, ['--expose-gc', script, dir, String(cycles)], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(stdout) as SoakResult);
      } catch {
        reject(new Error(`soak child exited ${code} without figures: ${stdout.slice(0, 500)}`));
      }
    });
  });
}

function report(result: SoakResult, cycles: number, hosts: number): void {
  const at = (cycle: number): SoakPoint | undefined => result.points.find((point) => point.cycle === cycle);
  const mib = (kib: number | undefined): string => (kib === undefined ? '?' : (kib / 1024).toFixed(1));
  const firstCycle = pointEvery(cycles);
  const first = at(firstCycle);
  const last = at(cycles);
  console.log(`${cycles} cycles of ${hosts} hosts in ${result.seconds.toFixed(0)} s (${((result.seconds / cycles) * 1000).toFixed(0)} ms a cycle), exit ${result.exit}; ${result.failedCycles} cycles with a failed host`);
  for (const line of result.failures) console.log(`  ${line}`);
  console.log(`after a full GC:      cycle ${String(firstCycle).padEnd(5)} cycle ${String(cycles).padEnd(6)} difference`);
  const rows = [
    ['RSS', (p: SoakPoint) => p.rssKiB],
    ['  anonymous', (p: SoakPoint) => p.rssAnonKiB],
    ['  file-backed', (p: SoakPoint) => p.rssFileKiB],
    ['heapUsed', (p: SoakPoint) => p.heapUsedKiB],
    ['external', (p: SoakPoint) => p.externalKiB],
  ] as const;
  for (const [label, pick] of rows) {
    const a = first && pick(first);
    const b = last && pick(last);
    const diff = a !== undefined && b !== undefined ? `${(b - a >= 0 ? '+' : '')}${mib(b - a)} MiB` : '?';
    console.log(`  ${label.padEnd(18)} ${mib(a).padStart(7)} MiB ${mib(b).padStart(9)} MiB   ${diff}`);
  }
  if (first && last) {
    const growth = (last.rssKiB - first.rssKiB) / 1024;
    console.log(`  goal: RSS growth within 10 MB (${GOAL_MIB.toFixed(1)} MiB): ${growth <= GOAL_MIB ? 'met' : 'NOT met'} (${growth.toFixed(1)} MiB)`);
  }
  const step = Math.max(firstCycle, Math.round(cycles / 10 / firstCycle) * firstCycle);
  const trend = result.points.filter((point) => point.cycle % step === 0 || point.cycle === cycles);
  console.log(`  RSS trend (MiB): ${trend.map((point) => `${point.cycle}: ${mib(point.rssKiB)}`).join(', ')}`);
  console.log(`  heapUsed trend (MiB): ${trend.map((point) => `${point.cycle}: ${mib(point.heapUsedKiB)}`).join(', ')}`);
}
