/**
 * The soak's measured process (started by bench/soak.ts with --expose-gc): `metrix run` in
 * process for N cycles on a clock that skips the waits, with memory after a full GC every
 * 100 cycles. Prints one JSON line on stdout: the points, failed cycles, exit status.
 *   node --expose-gc dist/bench/soak-child.js <config dir> <cycles>
 */
import { startInProcessRun } from './in-process-run.js';

export interface SoakPoint {
  readonly cycle: number;
  readonly rssKiB: number;
  readonly heapUsedKiB: number;
  readonly externalKiB: number;
}

export interface SoakResult {
  readonly points: readonly SoakPoint[];
  /** Cycles in which some host failed, and the first few such lines. */
  readonly failedCycles: number;
  readonly failures: readonly string[];
  readonly exit: number;
  readonly seconds: number;
}

const [dir, count] = process.argv.slice(2);
const cycles = Number(count);
const gc = (globalThis as { gc?: () => void }).gc;
if (!dir || !(cycles > 0) || !gc) throw new Error('usage: node --expose-gc soak-child.js <config dir> <cycles>');

const points: SoakPoint[] = [];
const failures: string[] = [];
let failedCycles = 0;
const started = performance.now();
const run = startInProcessRun(dir, ['--every', '1s', '-c', `${dir}/config.xml`], (line) => {
  if (/ (WARN|ERROR) /.test(line) && failures.length < 5) failures.push(line);
  const m = / INFO cycle (\d+): .*: (\d+) ok, (\d+) failed/.exec(line);
  if (!m) return;
  const cycle = Number(m[1]);
  if (Number(m[3]) > 0) failedCycles++;
  if (cycle % 100 === 0 || cycle === cycles) {
    gc();
    const memory = process.memoryUsage();
    points.push({ cycle, rssKiB: memory.rss / 1024, heapUsedKiB: memory.heapUsed / 1024, externalKiB: memory.external / 1024 });
    if (cycle % 500 === 0) process.stderr.write(`soak: cycle ${cycle}, RSS ${(memory.rss / 2 ** 20).toFixed(1)} MiB\n`);
  }
  if (cycle === cycles) run.stop();
});
const exit = await run.done;
const result: SoakResult = { points, failedCycles, failures, exit, seconds: (performance.now() - started) / 1000 };
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
