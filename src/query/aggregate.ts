import { addStats, addValue, finish, newStats, rollupValue, type RollupAggregation, type Stats } from '../retention/rollup.js';
import type { TierName } from '../retention/tiers.js';

export type Aggregation = 'avg' | 'min' | 'max' | 'last' | 'p95';

export const AGGREGATIONS: readonly Aggregation[] = ['avg', 'min', 'max', 'last', 'p95'];

export interface Point {
  readonly ts: number;
  readonly value: number;
}

/** Nearest-rank percentile of the values (p in 0..100). */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const AGGREGATE: Readonly<Record<Aggregation, (points: readonly Point[]) => number>> = {
  // Summed as roll-ups sum (rollup.ts finish), so raw samples and roll-ups give the same average.
  avg: (points) => {
    const stats = newStats();
    for (const p of points) addValue(stats, p.value);
    const { sum, count } = finish(stats);
    return sum / count;
  },
  min: (points) => Math.min(...points.map((p) => p.value)),
  max: (points) => Math.max(...points.map((p) => p.value)),
  last: (points) => points[points.length - 1]!.value,
  p95: (points) => percentile(points.map((p) => p.value), 95),
};

/**
 * Buckets points (oldest first) into steps aligned to multiples of `stepMs` since the
 * epoch; each bucket is stamped with its start. Empty buckets are left out, not zero-filled.
 */
export function downsample(points: readonly Point[], stepMs: number, agg: Aggregation): Point[] {
  const buckets = new Map<number, Point[]>();
  for (const point of points) {
    const start = Math.floor(point.ts / stepMs) * stepMs;
    const bucket = buckets.get(start);
    if (bucket) bucket.push(point);
    else buckets.set(start, [point]);
  }
  return [...buckets].map(([ts, bucket]) => ({ ts, value: Math.round(AGGREGATE[agg](bucket) * 1000) / 1000 }));
}

/**
 * Like downsample, for roll-up buckets (and raw points as buckets of one), given oldest first:
 * min of the mins, max of the maxes, and the average weighted by each bucket's count, so a
 * step that spans raw samples and roll-ups gives what the raw samples would have. Each step
 * says the coarsest tier behind it.
 */
export function downsampleStats(
  entries: ReadonlyArray<{ readonly ts: number; readonly tier: TierName; readonly stats: Stats }>,
  stepMs: number,
  agg: RollupAggregation,
): Array<{ ts: number; value: number; tier: TierName }> {
  const steps = new StepBuilder(stepMs, agg);
  for (const { ts, tier, stats } of entries) steps.add(ts, tier, stats);
  return steps.done();
}

/** Builds steps from entries that come oldest first: one step is open at a time. */
export class StepBuilder {
  private readonly out: Array<{ ts: number; value: number; tier: TierName }> = [];
  private start = Number.NaN;
  private stats = newStats();
  private tier: TierName = 'raw';

  constructor(
    private readonly stepMs: number,
    private readonly agg: RollupAggregation,
  ) {}

  add(ts: number, tier: TierName, stats: Stats): void {
    const start = Math.floor(ts / this.stepMs) * this.stepMs;
    if (start !== this.start) {
      this.close();
      this.start = start;
      this.stats = newStats();
      this.tier = tier;
    } else if (TIER_RANK[tier] > TIER_RANK[this.tier]) {
      this.tier = tier;
    }
    addStats(this.stats, stats);
  }

  private close(): void {
    if (Number.isNaN(this.start)) return;
    this.out.push({ ts: this.start, value: Math.round(rollupValue(finish(this.stats), this.agg) * 1000) / 1000, tier: this.tier });
  }

  done(): Array<{ ts: number; value: number; tier: TierName }> {
    this.close();
    this.start = Number.NaN;
    return this.out;
  }
}

const TIER_RANK: Readonly<Record<TierName, number>> = { raw: 0, '5m': 1, '1h': 2 };
