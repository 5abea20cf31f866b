import { decimalScale } from '../store/codec.js';

/**
 * What a roll-up keeps of one series over one bucket. Pure arithmetic: buckets of raw
 * samples, buckets of finer buckets (hourly from 5-minute), and the values a query reads.
 */
export interface Stats {
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  readonly count: number;
}

/** A Stats being built: `scale` is the most decimals any summed value had (undefined: some had none). */
export interface StatsBuilder {
  min: number;
  max: number;
  sum: number;
  count: number;
  scale: number | undefined;
}

const MAX_EXACT = 2 ** 51;

/** The start of the bucket of `bucketMs` that holds `ts` (buckets are aligned to the epoch). */
export const bucketStart = (ts: number, bucketMs: number): number => Math.floor(ts / bucketMs) * bucketMs;

export function newStats(): StatsBuilder {
  return { min: Infinity, max: -Infinity, sum: 0, count: 0, scale: 0 };
}

/** Adds one raw sample. */
export function addValue(stats: StatsBuilder, value: number): void {
  addStats(stats, { min: value, max: value, sum: value, count: 1 });
}

/** Adds a finer bucket (a 5-minute one to its hour). */
export function addStats(stats: StatsBuilder, part: Stats): void {
  if (part.min < stats.min) stats.min = part.min;
  if (part.max > stats.max) stats.max = part.max;
  stats.sum += part.sum;
  stats.count += part.count;
  const scale = decimalScale(part.sum);
  stats.scale = stats.scale === undefined || scale === undefined ? undefined : Math.max(stats.scale, scale);
}

/**
 * The finished bucket. Values with at most d decimals have a sum with at most d decimals, but
 * adding doubles leaves an error in the last bits (0.1 + 0.2); the sum is rounded back to d
 * decimals, which is the exact decimal sum and packs in a few bytes instead of eight.
 */
export function finish(stats: StatsBuilder): Stats {
  let sum = stats.sum;
  if (stats.scale !== undefined) {
    const scaled = Math.round(sum * 10 ** stats.scale);
    if (Math.abs(scaled) <= MAX_EXACT) sum = scaled / 10 ** stats.scale;
  }
  return { min: stats.min, max: stats.max, sum, count: stats.count };
}

/** The value a query shows for a bucket under an aggregation that roll-ups can answer. */
export type RollupAggregation = 'avg' | 'min' | 'max';

export function rollupValue(stats: Stats, agg: RollupAggregation): number {
  switch (agg) {
    case 'avg':
      return stats.sum / stats.count;
    case 'min':
      return stats.min;
    case 'max':
      return stats.max;
  }
}
