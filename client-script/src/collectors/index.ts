import type { Collector } from './collector.js';
import { cpuCollector } from './cpu.js';
import { diskstatsCollector } from './diskstats.js';
import { filesystemCollector } from './filesystem.js';
import { gpuCollector } from './gpu.js';
import { hwmonCollector } from './hwmon.js';
import { loadCollector } from './load.js';
import { memoryCollector } from './memory.js';
import { netdevCollector } from './netdev.js';
import { pressureCollector } from './pressure.js';
import { uptimeCollector } from './uptime.js';
import { vmstatCollector } from './vmstat.js';

/** Every collector, in the order their samples appear in a report. */
export const COLLECTORS: readonly Collector[] = [
  cpuCollector,
  loadCollector,
  memoryCollector,
  uptimeCollector,
  filesystemCollector,
  netdevCollector,
  diskstatsCollector,
  gpuCollector,
  // issue 11, the collector's blind spots: OOM kills, pressure stalls, hwmon temperatures.
  vmstatCollector,
  pressureCollector,
  hwmonCollector,
];
