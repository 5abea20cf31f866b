import { readFileSync } from 'fs';

/**
 * A process as it can be told apart from a later one that reuses its pid: the pid and its
 * start time (clock ticks after boot, field 22 of /proc/<pid>/stat), kept as the kernel's text.
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTime: string;
}

export interface ProcStat {
  /** R, S, D (in the kernel, unkillable), Z (dead, not yet reaped), ... */
  readonly state: string;
  readonly startTime: string;
}

// Always the real /proc, never CollectContext.procRoot: the pids are of processes this
// collector started on this machine, while procRoot says which machine's figures to read
// (a fixture tree in tests, a host's /proc mounted into a container). Helpers run in this
// process's pid namespace, so only this process's /proc can vouch for them.
const LIVE_PROC = '/proc';

/** Parses /proc/<pid>/stat; the command name is in parentheses and may hold spaces and ")". */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // Fields from 3 (state) on; field 22 (starttime) is the 20th of them.
  const fields = text.slice(close + 1).trim().split(/\s+/);
  const state = fields[0];
  const startTime = fields[19];
  if (state === undefined || !/^[A-Za-z]$/.test(state) || startTime === undefined || !/^\d+$/.test(startTime)) return undefined;
  return { state, startTime };
}

export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`${LIVE_PROC}/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

const ended = (stat: ProcStat): boolean => stat.state === 'Z' || stat.state === 'X';

/** The identity of a running process, or undefined once it has ended. */
export function identify(pid: number): ProcessIdentity | undefined {
  const stat = readProcStat(pid);
  return stat === undefined || ended(stat) ? undefined : { pid, startTime: stat.startTime };
}

/**
 * Whether that very process still runs: same pid and same start time (a pid reused by a
 * later process is not it), and not a zombie, which has finished and only awaits its reaper.
 */
export function isStillRunning(who: ProcessIdentity): boolean {
  const stat = readProcStat(who.pid);
  return stat !== undefined && stat.startTime === who.startTime && !ended(stat);
}
