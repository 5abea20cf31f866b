import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { onTestFinished } from 'vitest';
import { killQuietly, track, untrack } from '../farm/processes.js';

// A helper stuck in the kernel cannot be made on purpose (SIGKILL ends any script), so a
// "stuck helper" in these tests is a real long-lived process the test starts and names in the
// state file, as the collector would have after its statfs timed out. It is as alive as a stuck
// helper to the only check that matters: the same pid with the same start time in /proc.

export const SINCE = '2026-11-30T10:00:00Z';

export interface Stuck {
  readonly pid: number;
  readonly startTime: string;
  readonly stop: () => Promise<void>;
}

export const startTimeOf = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
};

/** The parent of a live process, read from /proc. */
export const parentOf = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
};

/** A live process standing for a helper stuck in the kernel; killed when the test ends. */
export function startStuck(): Stuck {
  const child: ChildProcess = spawn('sleep', ['600'], { stdio: 'ignore' });
  const pid = child.pid!;
  track(pid);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    killQuietly(pid, 'SIGKILL');
    await exited;
    untrack(pid);
  };
  onTestFinished(stop);
  return { pid, startTime: startTimeOf(pid), stop };
}

export async function waitUntil(what: string, condition: () => boolean, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const endedOrZombie = (pid: number): boolean => {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return true;
  }
  return stat[stat.lastIndexOf(')') + 2] === 'Z';
};

export const stateOf = (path: string): { v: number; sections: Record<string, unknown> } => JSON.parse(readFileSync(path, 'utf8'));
export const hungEntry = (mount: string, s: { pid: number; startTime: string }, since = SINCE): Record<string, unknown> =>
  ({ mount, pid: s.pid, start: s.startTime, since });
export const writeState = (path: string, hungStatfs: unknown[]): void =>
  writeFileSync(path, JSON.stringify({ v: 1, sections: { hungStatfs } }), { mode: 0o600 });
