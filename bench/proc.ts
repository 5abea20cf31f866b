/**
 * CPU and memory figures read from /proc, for the benchmarks: one process, whole process
 * trees (the farm's sshd and everything under them) and the whole machine.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Milliseconds per clock tick (USER_HZ), the unit of /proc's CPU times. */
export const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

interface ProcStat {
  /** The command name (comm): sshd, node, stat, ... */
  readonly name: string;
  readonly ppid: number;
  /** utime + stime of the process itself. */
  readonly ownTicks: number;
  /** cutime + cstime: every child that ended and was waited for, with its own children. */
  readonly reapedTicks: number;
}

function readStat(pid: number | string): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may hold anything: state is field 3.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const field = (n: number): number => Number(fields[n - 3]);
  return { name: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')), ppid: field(4), ownTicks: field(14) + field(15), reapedTicks: field(16) + field(17) };
}

/** CPU ms of one process: itself, and with `withChildren` also the children it waited for. */
export function processCpuMs(pid: number, withChildren = false): number | undefined {
  const stat = readStat(pid);
  if (!stat) return undefined;
  return (stat.ownTicks + (withChildren ? stat.reapedTicks : 0)) * TICK_MS;
}

/** CPU ms of process trees, in all and split by who used it. */
export interface TreesCpu {
  readonly ms: number;
  /** By command name: `<name>` for processes' own time, `<name> children` for children they reaped. */
  readonly byName: ReadonlyMap<string, number>;
}

/**
 * CPU ms used so far by each root's whole tree: every live process under it (its own time
 * and that of children it reaped) — so sessions that ended count through the sshd that
 * waited for them, and resident collectors through themselves. One pass over /proc.
 */
export function treesCpuMs(roots: readonly number[]): TreesCpu {
  const stats = new Map<number, ProcStat>();
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (!stat) continue;
    const pid = Number(entry);
    stats.set(pid, stat);
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(pid);
    else children.set(stat.ppid, [pid]);
  }
  let ticks = 0;
  const byName = new Map<string, number>();
  const add = (name: string, t: number): void => void (t > 0 && byName.set(name, (byName.get(name) ?? 0) + t * TICK_MS));
  const pending = [...roots];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    const stat = stats.get(pid);
    if (!stat) continue;
    ticks += stat.ownTicks + stat.reapedTicks;
    add(stat.name, stat.ownTicks);
    add(`${stat.name} children`, stat.reapedTicks);
    pending.push(...(children.get(pid) ?? []));
  }
  return { ms: ticks * TICK_MS, byName };
}

/** Busy CPU ms of the whole machine so far, all cores: every /proc/stat column but idle and iowait. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) * TICK_MS;
}

/** Resident set now and its high-water mark, in KiB (undefined once the process is gone). */
export function memoryKiB(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Proportional and private memory of a process in KiB (shared pages split among their users). */
export function smapsKiB(pid: number): { pss: number; privateDirty: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { pss: field('Pss'), privateDirty: field('Private_Dirty') };
  } catch {
    return undefined;
  }
}

/** Pids whose command line has every one of `words` among its arguments. */
export function pidsWithArgs(...words: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (words.every((word) => argv.some((arg) => arg.includes(word)))) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}
