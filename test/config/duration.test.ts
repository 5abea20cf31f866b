import { describe, expect, test } from 'vitest';
import { checkDuration, DURATION_RANGES, formatRange, MAX_DURATION_MS, MAX_TIMER_MS, parseDuration } from '../../src/config/duration.js';

describe('parseDuration', () => {
  test.each([
    ['250ms', 250],
    ['1.5s', 1500],
    ['7d', 7 * 86_400_000],
    ['5200w', 5200 * 604_800_000],
    ['36500d', MAX_DURATION_MS],
    ['36501d', undefined],
    ['999999999w', undefined],
    [`1${'0'.repeat(400)}ms`, undefined],
    ['-1s', undefined],
    ['1 y', undefined],
  ])('%s -> %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test('the longest duration still makes a valid date from now', () => {
    expect(Number.isNaN(new Date(Date.parse('2026-11-30T00:00:00Z') + MAX_DURATION_MS).getTime())).toBe(false);
  });
});

describe('checkDuration', () => {
  test.each([
    ['30s', DURATION_RANGES.timeout, { value: 30_000 }],
    ['25d', DURATION_RANGES.timeout, { error: 'out of range (allowed: 1s..1h)' }],
    ['0', DURATION_RANGES.timeout, { error: 'must be longer than 0 (allowed: 1s..1h)' }],
    ['0', DURATION_RANGES.hold, { value: 0 }],
    ['0s', DURATION_RANGES.window, { value: 0 }],
    ['59s', DURATION_RANGES.window, { error: expect.stringMatching(/^too short to hold a sample: .* \(allowed: 0, or 1m\.\.7d\)$/) }],
    ['99999999999999w', DURATION_RANGES.retention, { error: 'out of range (allowed: 1h..7300d)' }],
    ['ten', DURATION_RANGES.wait, { error: 'not a duration (expected a number with a unit: 250ms, 30s, 5m, 2h, 7d, 1w)' }],
  ])('%s in %j', (text, range, expected) => {
    expect(checkDuration(text, range)).toEqual(expected);
  });

  test('every range ends below the largest duration, and every timeout below the timer limit', () => {
    for (const range of Object.values(DURATION_RANGES)) expect(range.max).toBeLessThanOrEqual(MAX_DURATION_MS);
    expect(DURATION_RANGES.timeout.max).toBeLessThan(MAX_TIMER_MS);
    expect(formatRange(DURATION_RANGES.hold)).toBe('0..30d');
  });
});
