/**
 * The soak's measured process (started by bench/soak.ts with --expose-gc): `metrix run` in
 * process for N cycles on a clock that skips the waits, with memory after a full GC every
 * 100 cycles (every 10 when N is under 200). Prints one JSON line on stdout: the points,
 * failed cycles, exit status.
 *   node --expose-gc dist/bench/soak-child.js <config dir> <cycles>
 */
import { readFileSync } from 'node:fs';
import { startInProcessRun } from './in-process-run.js';
import { pointEvery, type SoakPoint, type SoakResult } from './soak-points.js';

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
  if (cycle % pointEvery(cycles) === 0 || cycle === cycles) {
    gc();
    const memory = process.memoryUsage();
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    points.push({ cycle, rssKiB: memory.rss / 1024, rssAnonKiB: kib('RssAnon'), rssFileKiB: kib('RssFile'), heapUsedKiB: memory.heapUsed / 1024, externalKiB: memory.external / 1024 });
    if (cycle % 500 === 0) process.stderr.write(`soak: cycle ${cycle}, RSS ${(memory.rss / 2 ** 20).toFixed(1)} MiB\n`);
  }
  if (cycle === cycles) run.stop();
});
const exit = await run.done;
const result: SoakResult = { points, failedCycles, failures, exit, seconds: (performance.now() - started) / 1000 };
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
