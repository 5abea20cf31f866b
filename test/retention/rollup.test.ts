import { describe, expect, it } from 'vitest';
import { addStats, addValue, bucketStart, finish, newStats, rollupValue, type Stats } from '../../src/retention/rollup.js';
import { downsample, downsampleStats } from '../../src/query/aggregate.js';

const statsOf = (values: readonly number[]): Stats => {
  const builder = newStats();
  for (const v of values) addValue(builder, v);
  return finish(builder);
};

describe('roll-up arithmetic', () => {
  it.each([
    [[3], { min: 3, max: 3, sum: 3, count: 1 }],
    [[41.73, 40.1, 45], { min: 40.1, max: 45, sum: 126.83, count: 3 }],
    [[-2, 5, 0], { min: -2, max: 5, sum: 3, count: 3 }],
    // The doubles' sum is 0.30000000000000004; both inputs have one decimal, so the sum does too.
    [[0.1, 0.2], { min: 0.1, max: 0.2, sum: 0.3, count: 2 }],
    // A value with no short decimal keeps the plain double sum.
    [[1 / 3, 1 / 3], { min: 1 / 3, max: 1 / 3, sum: 2 / 3, count: 2 }],
    [[9_876_543_210, 9_876_617_280], { min: 9_876_543_210, max: 9_876_617_280, sum: 19_753_160_490, count: 2 }],
  ])('%j -> %j', (values, expected) => expect(statsOf(values)).toEqual(expected));

  it('an hour built from its 5-minute buckets equals the hour built from the samples', () => {
    const samples = Array.from({ length: 60 }, (_, minute) => Math.round(50 + 40 * Math.sin(minute / 7)) / 100 + minute);
    const hour = newStats();
    for (let k = 0; k < 12; k++) addStats(hour, statsOf(samples.slice(5 * k, 5 * k + 5)));
    expect(finish(hour)).toEqual(statsOf(samples));
  });

  it.each([
    ['avg', 10],
    ['min', 4],
    ['max', 16],
  ] as const)('%s of a bucket', (agg, value) => expect(rollupValue({ min: 4, max: 16, sum: 40, count: 4 }, agg)).toBe(value));

  it.each([
    [0, 300_000, 0],
    [299_999, 300_000, 0],
    [300_000, 300_000, 300_000],
    [Date.parse('2026-11-01T10:59:59Z'), 3_600_000, Date.parse('2026-11-01T10:00:00Z')],
  ])('bucketStart(%i, %i) = %i', (ts, bucket, start) => expect(bucketStart(ts, bucket)).toBe(start));
});

describe('steps over roll-ups', () => {
  // A minute's samples, and the same samples as 5-minute roll-ups: any step made of whole
  // 5-minute buckets must come out the same from either (avg weighted by count).
  const points = Array.from({ length: 120 }, (_, i) => ({ ts: i * 60_000, value: (i % 17) + (i % 3) / 10 }));
  const buckets = Array.from({ length: 24 }, (_, k) => ({ ts: k * 300_000, tier: '5m' as const, stats: statsOf(points.slice(5 * k, 5 * k + 5).map((p) => p.value)) }));

  it.each(['avg', 'min', 'max'] as const)('%s per 15 minutes: roll-ups give what the raw samples give', (agg) => {
    const raw = downsample(points, 900_000, agg);
    expect(downsampleStats(buckets, 900_000, agg)).toEqual(raw.map((p) => ({ ...p, tier: '5m' })));
  });

  it('a step spanning raw samples and roll-ups counts each sample once and says the coarser tier', () => {
    // First 30 minutes from roll-ups, the rest raw: the seam at 30 minutes is inside the first hour.
    const mixed = [
      ...buckets.slice(0, 6),
      ...points.slice(30).map((p) => ({ ts: p.ts, tier: 'raw' as const, stats: { min: p.value, max: p.value, sum: p.value, count: 1 } })),
    ];
    const steps = downsampleStats(mixed, 3_600_000, 'avg');
    expect(steps).toEqual(downsample(points, 3_600_000, 'avg').map((p, i) => ({ ...p, tier: i === 0 ? '5m' : 'raw' })));
  });
});
