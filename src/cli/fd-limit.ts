import { readFileSync } from 'node:fs';

export interface FdLimits {
  readonly soft: number;
  readonly hard: number;
}

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

/**
 * Descriptors a run of `metrix run` keeps open: one socket per SSH host (a jump host's tunnels
 * ride on its one connection) and three pipes per local resident collector, plus what the
 * process itself holds (database, log, listening sockets…).
 */
export function descriptorsNeeded(sshHosts: number, localHosts: number): number {
  return sshHosts + 3 * localHosts + 64;
}
