import { describe, expect, it } from 'vitest';
import { chunkSize, decodeChunk, encodeChunk, type ChunkBucket } from '../../src/store/chunk-codec.js';

const bucket = (index: number, min: number, max: number, sum: number, count: number): ChunkBucket => ({ index, min, max, sum, count });

describe('roll-up chunks', () => {
  it.each([
    ['empty', []],
    ['one bucket', [bucket(7, 1, 2, 3, 2)]],
    ['a day of percentages, every bucket', Array.from({ length: 288 }, (_, i) => bucket(i, 40 + i / 100, 41.5 + i / 100, 5 * (40.75 + i / 100), 5))],
    ['gaps and uneven counts', [bucket(0, 1, 1, 1, 1), bucket(5, -2.5, 3, 0.5, 3), bucket(287, 0, 0, 0, 12)]],
    ['counters near 2^50', [bucket(0, 2 ** 49, 2 ** 49 + 10, 2 ** 50, 2), bucket(1, 2 ** 49 + 20, 2 ** 49 + 30, 2 ** 50 + 50, 2)]],
    ['doubles with no short decimal', [bucket(3, 1 / 3, Math.PI, Math.E * 7, 7), bucket(4, 0.1 + 0.2, 1e-300, -0, 1)]],
    ['sums past exact integers', [bucket(1, 1, 2, 2 ** 60, 4)]],
    ['a counter climbing steadily', Array.from({ length: 144 }, (_, i) => bucket(i, 9e11 + i * 3e10, 9e11 + i * 3e10 + 2.4e10, 5 * (9e11 + i * 3e10) + 6e10, 5))],
    ['a counter that was reset', [bucket(0, 2 ** 49, 2 ** 49 + 9, 2 ** 50, 2), bucket(1, 0, 5, 5, 2), bucket(2, 2 ** 49, 2 ** 49, 2 ** 50, 2)]],
  ] as const)('%s: every bucket comes back bit for bit', (_name, buckets) => {
    const blob = encodeChunk(buckets);
    const back = decodeChunk(blob);
    expect(back).toHaveLength(buckets.length);
    back.forEach((b, i) => {
      for (const key of ['index', 'min', 'max', 'sum', 'count'] as const) expect(Object.is(b[key], buckets[i]![key]), `${i}.${key}`).toBe(true);
    });
    expect(chunkSize(blob)).toBe(buckets.length);
  });

  it.each([
    ['a slowly moving percentage', (i: number) => bucket(i, 40 + i / 100, 41.5 + i / 100, Math.round(5 * (40.75 + i / 100) * 100) / 100, 5), 4],
    ['a counter climbing by 30 GB a bucket', (i: number) => bucket(i, 9e11 + i * 3e10, 9e11 + i * 3e10 + 2.4e10, 5 * (9e11 + i * 3e10) + 6e10, 5), 4],
  ])('packs %s in a few bytes a bucket', (_name, make, bytes) => {
    const chunk = Array.from({ length: 144 }, (_, i) => make(i));
    expect(encodeChunk(chunk).length / 144).toBeLessThan(bytes);
  });
});
