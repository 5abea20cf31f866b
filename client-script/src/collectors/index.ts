import type { Collector } from './collector.js';
import { cpuCollector } from './cpu.js';
import { diskstatsCollector } from './diskstats.js';
import { filesystemCollector } from './filesystem.js';
import { gpuCollector } from './gpu.js';
import { loadCollector } from './load.js';
import { memoryCollector } from './memory.js';
import { netdevCollector } from './netdev.js';
import { uptimeCollector } from './uptime.js';

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
];
