import { optionalCount, readings, readProcFile, sample, type Collector } from './collector.js';

export function readVmStat(procRoot: string): string {
  return readProcFile(procRoot, 'vmstat');
}

/**
 * Processes the kernel's out-of-memory killer has killed since boot: the `oom_kill` line of
 * /proc/vmstat (Linux 4.13 on; undefined before, or when the line is garbled). Other lines,
 * well-formed or not, are passed over.
 */
export function parseOomKills(text: string): number | undefined {
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === 'oom_kill' && fields.length === 2) return optionalCount(fields[1]);
  }
  return undefined;
}

/** A counter: the poller turns it into `oom_kills`, the kills between two polls. */
export const vmstatCollector: Collector = {
  name: 'vmstat',
  readsCounters: true,
  async collect(ctx) {
    const kills = parseOomKills(readVmStat(ctx.procRoot));
    return readings([], kills === undefined ? [] : [sample('oom_kills_total', kills)]);
  },
};
