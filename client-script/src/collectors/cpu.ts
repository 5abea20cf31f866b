import { readings, readProcFile, sample, toCount, type Collector } from './collector.js';

export interface CpuStat {
  readonly totalJiffies: number;
  readonly idleJiffies: number;
  readonly iowaitJiffies: number;
  /** Time a hypervisor gave this VM's CPUs to others; undefined before Linux 2.6.11, which has no column for it. */
  readonly stealJiffies: number | undefined;
  readonly procsRunning: number | undefined;
}

// Columns of the aggregate `cpu` line, in kernel order. guest and guest_nice follow steal
// but are already counted inside user and nice, so adding them would count that time twice.
const SUMMED = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];
const IDLE = 3;
const IOWAIT = 4;
const STEAL = 7;

export function readCpuStat(procRoot: string): string {
  return readProcFile(procRoot, 'stat');
}

export function parseCpuStat(text: string): CpuStat {
  let cpuLine: string[] | undefined;
  let procsRunning: number | undefined;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === 'cpu') cpuLine = fields.slice(1);
    else if (fields[0] === 'procs_running') procsRunning = toCount(fields[1], 'procs_running');
  }
  // Kernels before 2.6 stop after idle; iowait, irq, softirq and steal came later.
  if (cpuLine === undefined || cpuLine.length < 4) throw new Error('no aggregate "cpu" line in /proc/stat');
  const values = SUMMED.map((name, i) => (i < cpuLine!.length ? toCount(cpuLine![i], `cpu ${name}`) : 0));
  return {
    totalJiffies: values.reduce((sum, v) => sum + v, 0),
    idleJiffies: values[IDLE] ?? 0,
    iowaitJiffies: values[IOWAIT] ?? 0,
    stealJiffies: cpuLine.length > STEAL ? values[STEAL] : undefined,
    procsRunning,
  };
}

export const cpuCollector: Collector = {
  name: 'cpu',
  readsCounters: true,
  async collect(ctx) {
    const stat = parseCpuStat(readCpuStat(ctx.procRoot));
    const gauges = stat.procsRunning === undefined ? [] : [sample('procs_running', stat.procsRunning)];
    const counters = [
      sample('cpu_total_jiffies', stat.totalJiffies),
      sample('cpu_idle_jiffies', stat.idleJiffies),
      sample('cpu_iowait_jiffies', stat.iowaitJiffies),
    ];
    if (stat.stealJiffies !== undefined) counters.push(sample('cpu_steal_jiffies', stat.stealJiffies));
    return readings(gauges, counters);
  },
};
