import type { Sample } from '../protocol.js';
import { isMissingFile, readings, readProcFile, sample, type Collector } from './collector.js';

/** The resources of /proc/pressure/ metrix reads (Linux 4.20 on, where built with PSI and not booted psi=0). */
export const PRESSURE_RESOURCES: readonly string[] = ['cpu', 'memory', 'io'];

export interface PressureTotals {
  /** Microseconds since boot during which at least one task was stalled on the resource. */
  readonly some: number | undefined;
  /** Microseconds during which all non-idle tasks were stalled at once. */
  readonly full: number | undefined;
}

/**
 * Parses "some avg10=0.00 avg60=0.00 avg300=0.00 total=12345" and the "full" line after it.
 * Only `total` is kept: the poller makes the share of its own interval from two readings, which
 * the kernel's fixed 10/60/300 s averages cannot give. A malformed line is passed over.
 */
export function parsePressure(text: string): PressureTotals {
  const totals: { some?: number; full?: number } = {};
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const kind = fields[0];
    if (kind !== 'some' && kind !== 'full') continue;
    for (const field of fields.slice(1)) {
      const match = /^total=(\d+)$/.exec(field);
      if (match !== null) totals[kind] = Number(match[1]);
    }
  }
  return { some: totals.some, full: totals.full };
}

/** The text of /proc/pressure/<resource>, or undefined where the kernel has none. */
export function readPressure(procRoot: string, resource: string): string | undefined {
  try {
    return readProcFile(procRoot, `pressure/${resource}`);
  } catch (err) {
    if (isMissingFile(err)) return undefined;
    throw err;
  }
}

/**
 * Counters the poller turns into `pressure_some_percent{resource}` and `pressure_full_percent`.
 * CPU "full" is left out: at the system level the kernel reports it as zero, always.
 */
export const pressureCollector: Collector = {
  name: 'pressure',
  readsCounters: true,
  async collect(ctx) {
    const counters: Sample[] = [];
    for (const resource of PRESSURE_RESOURCES) {
      const text = readPressure(ctx.procRoot, resource);
      if (text === undefined) continue;
      const totals = parsePressure(text);
      const labels = { resource };
      if (totals.some !== undefined) counters.push(sample('pressure_some_usec_total', totals.some, labels));
      if (totals.full !== undefined && resource !== 'cpu') counters.push(sample('pressure_full_usec_total', totals.full, labels));
    }
    return readings([], counters);
  },
};
