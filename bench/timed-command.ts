/**
 * One command run to its end under GNU time: its CPU (itself and every child it waited for:
 * ssh clients, for the other tools), its largest process's peak RSS, and the host side's and
 * the machine's CPU over the same window.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { snapshot, usageBetween, type Usage } from './window.js';

export const GNU_TIME = '/usr/bin/time';

export interface Timed {
  readonly exit: number;
  /** user + sys of the command and its waited-for children. */
  readonly cpuMs: number;
  /** Peak RSS of the largest single process (the command or one of its children). */
  readonly maxRssKiB: number;
  readonly usage: Usage;
  /** Its stdout and stderr together. */
  readonly output: string;
}

export function gnuTimeMissing(): string | undefined {
  return existsSync(GNU_TIME) ? undefined : `${GNU_TIME} not found: apt-get install -y time`;
}

/**
 * Runs argv with output to `outFile` (not a pipe: nothing here competes with it for CPU).
 * Asynchronously, so the farm's sshd log pipes keep draining meanwhile, or sshd stalls.
 */
export async function runTimed(argv: readonly string[], options: { cwd: string; daemons: readonly number[]; outFile: string }): Promise<Timed> {
  const timeFile = `${options.outFile}.time`;
  const out = openSync(options.outFile, 'w');
  const start = snapshot(options.daemons);
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(GNU_TIME, ['-f', '%U %S %M %x', '-o', timeFile, '--', ...argv], { cwd: options.cwd, stdio: ['ignore', out, out] });
    child.on('close', resolve);
  });
  const usage = usageBetween(start, snapshot(options.daemons));
  closeSync(out);
  // GNU time writes "Command exited with non-zero status N" first when it did; the figures are last.
  const figures = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
  const [user, sys, rss, exit] = figures.split(' ').map(Number);
  return {
    exit: exit ?? code ?? -1,
    cpuMs: ((user ?? NaN) + (sys ?? NaN)) * 1000,
    maxRssKiB: rss ?? NaN,
    usage,
    output: readFileSync(options.outFile, 'utf8'),
  };
}
