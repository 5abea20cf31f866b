/**
 * A measured window: CPU used between two snapshots by the host side (the farm's sshd trees),
 * by the whole machine, and by this benchmark process itself (it reads the daemons' logs).
 */
import { machineBusyMs, treesCpuMs } from './proc.js';

export interface Snapshot {
  readonly atMs: number;
  readonly machineMs: number;
  readonly farmMs: number;
  readonly farmByName: ReadonlyMap<string, number>;
  readonly benchMs: number;
}

export interface Usage {
  readonly wallMs: number;
  /** Busy CPU of every core together. */
  readonly machineMs: number;
  /** sshd listeners, their sessions and every command under them (collectors, statfs helpers). */
  readonly farmMs: number;
  /** farmMs split by command name (see treesCpuMs). */
  readonly farmByName: ReadonlyMap<string, number>;
  readonly benchMs: number;
}

export function snapshot(daemons: readonly number[]): Snapshot {
  const cpu = process.cpuUsage();
  const farm = treesCpuMs(daemons);
  return {
    atMs: performance.now(),
    machineMs: machineBusyMs(),
    farmMs: farm.ms,
    farmByName: farm.byName,
    benchMs: (cpu.user + cpu.system) / 1000,
  };
}

export function usageBetween(start: Snapshot, end: Snapshot): Usage {
  return {
    wallMs: end.atMs - start.atMs,
    machineMs: end.machineMs - start.machineMs,
    farmMs: end.farmMs - start.farmMs,
    farmByName: new Map([...end.farmByName].map(([name, ms]) => [name, ms - (start.farmByName.get(name) ?? 0)])),
    benchMs: end.benchMs - start.benchMs,
  };
}

/**
 * The machine's busy CPU per ms of wall time while nothing of the benchmark runs (others'
 * work on a shared machine): the background to subtract from a window's machine figure.
 */
export async function backgroundRate(daemons: readonly number[], ms: number): Promise<number> {
  const start = snapshot(daemons);
  await new Promise((resolve) => setTimeout(resolve, ms));
  const usage = usageBetween(start, snapshot(daemons));
  return usage.machineMs / usage.wallMs;
}
