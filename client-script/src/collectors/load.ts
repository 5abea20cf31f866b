import { readings, readProcFile, sample, toCount, toDecimal, type Collector } from './collector.js';

export interface LoadAvg {
  readonly load1: number;
  readonly load5: number;
  readonly load15: number;
  /** Scheduling entities (processes and threads) that exist: the number after the slash. */
  readonly procsTotal: number;
}

export function readLoadAvg(procRoot: string): string {
  return readProcFile(procRoot, 'loadavg');
}

/** Parses "0.01 0.10 0.06 1/86 3879". */
export function parseLoadAvg(text: string): LoadAvg {
  const fields = text.trim().split(/\s+/);
  const procs = (fields[3] ?? '').split('/');
  return {
    load1: toDecimal(fields[0], 'load1'),
    load5: toDecimal(fields[1], 'load5'),
    load15: toDecimal(fields[2], 'load15'),
    procsTotal: toCount(procs[1], 'process count in /proc/loadavg'),
  };
}

export const loadCollector: Collector = {
  name: 'load',
  readsCounters: false,
  async collect(ctx) {
    const load = parseLoadAvg(readLoadAvg(ctx.procRoot));
    return readings([
      sample('load1', load.load1),
      sample('load5', load.load5),
      sample('load15', load.load15),
      sample('procs_total', load.procsTotal),
    ]);
  },
};
