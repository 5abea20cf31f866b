import { describe, expect, it } from 'vitest';
import { formatUtc, formatUtcExact, formatUtcMs } from '../../src/text/time.js';

const T = Date.parse('2026-11-22T04:00:00.412Z');

describe('times as text', () => {
  it.each([
    ['to the second', formatUtc, T, '2026-11-22T04:00:00Z'],
    ['with milliseconds', formatUtcMs, T, '2026-11-22T04:00:00.412Z'],
    ['exact, milliseconds kept', formatUtcExact, T, '2026-11-22T04:00:00.412Z'],
    ['exact, whole second', formatUtcExact, T - 412, '2026-11-22T04:00:00Z'],
    ['beyond what a Date holds', formatUtc, 1e300, 'invalid'],
    ['not a number', formatUtcMs, Number.NaN, 'invalid'],
    ['infinity', formatUtcExact, Number.POSITIVE_INFINITY, 'invalid'],
  ] as const)('%s', (_case, format, ms, text) => {
    expect(format(ms)).toBe(text);
  });
});
