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
  avg: (points) => points.reduce((sum, p) => sum + p.value, 0) / points.length,
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
