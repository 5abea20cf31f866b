import { readings, readProcFile, sample, toDecimal, type Collector } from './collector.js';

export function readUptime(procRoot: string): string {
  return readProcFile(procRoot, 'uptime');
}

/** Seconds since boot: the first of the two numbers in /proc/uptime (the second is idle time). */
export function parseUptime(text: string): number {
  return toDecimal(text.trim().split(/\s+/)[0], 'uptime');
}

export const uptimeCollector: Collector = {
  name: 'uptime',
  readsCounters: false,
  async collect(ctx) {
    return readings([sample('uptime_sec', parseUptime(readUptime(ctx.procRoot)))]);
  },
};
