import { percent, readings, readProcFile, sample, toCount, type Collector } from './collector.js';

export interface MemInfo {
  readonly totalBytes: number;
  readonly usedBytes: number;
  readonly memPercent: number;
  readonly swapPercent: number;
}

export function readMemInfo(procRoot: string): string {
  return readProcFile(procRoot, 'meminfo');
}

/** Values of /proc/meminfo in bytes, by field name ("MemTotal: 24684084 kB" -> MemTotal). */
function parseFields(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([^:\s]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (!match) continue;
    const scale = line.trim().endsWith('kB') ? 1024 : 1;
    fields.set(match[1]!, toCount(match[2], match[1]!) * scale);
  }
  return fields;
}

export function parseMemInfo(text: string): MemInfo {
  const fields = parseFields(text);
  const get = (name: string): number => fields.get(name) ?? 0;
  const total = get('MemTotal');
  if (total <= 0) throw new Error('no MemTotal in /proc/meminfo');
  // MemAvailable exists from Linux 3.14 on. Older kernels (RHEL/CentOS 6 and 7.0) lack it, so
  // estimate it as the kernel roughly does: free memory plus caches it can drop. This
  // overstates a little (not all cache is reclaimable) but is far closer than MemFree alone.
  const available = fields.has('MemAvailable')
    ? get('MemAvailable')
    : Math.min(total, get('MemFree') + get('Buffers') + get('Cached') + get('SReclaimable'));
  const swapTotal = get('SwapTotal');
  return {
    totalBytes: total,
    usedBytes: total - available,
    memPercent: percent(total - available, total),
    swapPercent: swapTotal > 0 ? percent(swapTotal - get('SwapFree'), swapTotal) : 0,
  };
}

export const memoryCollector: Collector = {
  name: 'memory',
  readsCounters: false,
  async collect(ctx) {
    const mem = parseMemInfo(readMemInfo(ctx.procRoot));
    return readings([
      sample('mem_total_bytes', mem.totalBytes),
      sample('mem_used_bytes', mem.usedBytes),
      sample('mem_percent', mem.memPercent),
      sample('swap_percent', mem.swapPercent),
    ]);
  },
};
