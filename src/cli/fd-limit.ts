import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface FdLimits {
  readonly soft: number;
  readonly hard: number;
}

const PRLIMIT_TIMEOUT_MS = 5000;

/** The open-files limits of a process, from /proc/PID/limits; undefined where there is none (not Linux). */
export function fdLimits(pid: number = process.pid): FdLimits | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const [soft, hard] = (line ?? '').slice('Max open files'.length).trim().split(/\s+/);
    const value = (text: string | undefined): number => (text === 'unlimited' ? Infinity : Number(text));
    const limits = { soft: value(soft), hard: value(hard) };
    return Number.isNaN(limits.soft) || Number.isNaN(limits.hard) ? undefined : limits;
  } catch {
    return undefined;
  }
}

export type RaiseResult =
  | { readonly kind: 'already'; readonly limits: FdLimits }
  | { readonly kind: 'raised'; readonly from: number; readonly limits: FdLimits }
  | { readonly kind: 'failed'; readonly limits: FdLimits | undefined; readonly why: string };

/**
 * Raises this process's soft open-files limit to its hard limit, as a daemon holding a
 * connection per host must. Node has no setrlimit, so util-linux's prlimit(1) sets it on our
 * pid (allowed for one's own processes, up to the hard limit).
 */
export function raiseFdLimit(pid: number = process.pid): RaiseResult {
  const before = fdLimits(pid);
  if (before === undefined) return { kind: 'failed', limits: undefined, why: `cannot read /proc/${pid}/limits` };
  if (before.soft >= before.hard) return { kind: 'already', limits: before };
  const hard = before.hard === Infinity ? 'unlimited' : String(before.hard);
  const run = spawnSync('prlimit', ['--pid', String(pid), `--nofile=${hard}:${hard}`], { encoding: 'utf8', timeout: PRLIMIT_TIMEOUT_MS });
  const after = fdLimits(pid);
  if (after && after.soft > before.soft) return { kind: 'raised', from: before.soft, limits: after };
  const why = run.error ? run.error.message : (run.stderr || '').trim() || `prlimit exited with status ${run.status}`;
  return { kind: 'failed', limits: before, why };
}

/**
 * Descriptors a run of `metrix run` keeps open: one socket per SSH host (a jump host's tunnels
 * ride on its one connection) and three pipes per local resident collector, plus what the
 * process itself holds (database, log, listening sockets…).
 */
export function descriptorsNeeded(sshHosts: number, localHosts: number): number {
  return sshHosts + 3 * localHosts + 64;
}
