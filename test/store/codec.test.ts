import { describe, expect, it } from 'vitest';
import { decimalScale, decodeValues, encodeValues, listLength, valueAt, valueCount, valuesAt, type Codec } from '../../src/store/codec.js';

const CODECS: readonly Codec[] = ['fixed', 'packed'];

// Values a poll really holds: percentages with 2 decimals, rates with 3, big counters, zero,
// negatives, and doubles no short decimal gives back (those must survive bit for bit too).
const VALUES = [0, 1, 41.73, 99.99, 0.001, 1234.567, -3.5, 9_876_543_210, 2 ** 51, 2 ** 52 + 2, 1 / 3, Math.PI, 1e-9, 1.7976931348623157e308, -0, 5e-324, 0.1 + 0.2];

describe('packing values', () => {
  it.each(CODECS)('%s: every value comes back bit for bit, alone or all together', (codec) => {
    const blob = encodeValues(VALUES, codec);
    expect(valueCount(blob)).toBe(VALUES.length);
    const all = decodeValues(blob);
    VALUES.forEach((v, k) => {
      expect(Object.is(valueAt(blob, k), v), `value ${k} = ${v}`).toBe(true);
      expect(Object.is(all[k], v), `value ${k} = ${v}`).toBe(true);
    });
    const run: number[] = [];
    valuesAt(blob, 2, 4, run);
    expect(run).toEqual(VALUES.slice(2, 6));
  });

  it.each(CODECS)('%s: an empty list and a long one (a varint count)', (codec) => {
    expect(decodeValues(encodeValues([], codec))).toEqual([]);
    const many = Array.from({ length: 300 }, (_, i) => i * 1.25);
    const blob = encodeValues(many, codec);
    expect(valueCount(blob)).toBe(300);
    expect(valueAt(blob, 299)).toBe(299 * 1.25);
    expect(decodeValues(blob)).toEqual(many);
  });

  it.each(CODECS)('%s: a list read where it sits among others laid end to end', (codec) => {
    const first = encodeValues([1.5, 2.25], codec);
    const long = Array.from({ length: 200 }, (_, i) => i / 4);
    const second = encodeValues(VALUES, codec);
    const third = encodeValues(long, codec);
    const all = Buffer.concat([first, second, third]);
    VALUES.forEach((v, k) => expect(Object.is(valueAt(all, k, first.length), v), `value ${k}`).toBe(true));
    expect(valueAt(all, 199, first.length + second.length)).toBe(199 / 4);
    // Each list's length read from where it starts (a range reads its rows' blobs this way).
    expect(listLength(all, 0, 2)).toBe(first.length);
    expect(listLength(all, first.length, VALUES.length)).toBe(second.length);
    expect(listLength(all, first.length + second.length, long.length)).toBe(third.length);
  });

  it('fixed puts value k at 1 + 8k', () => {
    const blob = encodeValues([1.5, 2.5, 3.5], 'fixed');
    expect(blob.length).toBe(25);
    expect(blob.readDoubleLE(1 + 8 * 2)).toBe(3.5);
  });

  it.each([
    [0, 1],
    [1, 2],
    [41.73, 3],
    [-41.73, 3],
    [1234.567, 4],
    [9_876_543_210, 6],
    [1 / 3, 9],
  ])('packed stores %s in %i bytes (tag included)', (value, bytes) => {
    // 3 bytes of header: the format, the count and nothing else.
    expect(encodeValues([value], 'packed').length - 2).toBe(bytes);
  });
});

describe('decimalScale', () => {
  it.each([
    [0, 0],
    [12, 0],
    [41.7, 1],
    [41.73, 2],
    [0.001, 3],
    [1.000001, 6],
    [1 / 3, undefined],
    [-0, undefined],
    [Number.NaN, undefined],
    [Infinity, undefined],
    [2 ** 60, undefined],
  ])('%s -> %s', (value, scale) => expect(decimalScale(value)).toBe(scale));
});
