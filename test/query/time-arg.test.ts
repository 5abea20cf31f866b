import { describe, expect, it } from 'vitest';
import { checkTimeArg } from '../../src/query/time-arg.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');

describe('checkTimeArg accepts', () => {
  it.each([
    ['2026-02-28', Date.parse('2026-02-28T00:00:00Z')],
    ['2028-02-29', Date.parse('2028-02-29T00:00:00Z')],
    ['2026-12-31T23:59:59.5Z', Date.parse('2026-12-31T23:59:59.500Z')],
    ['2026-11-21T18:00-0130', Date.parse('2026-11-21T19:30:00Z')],
    ['5200w', NOW - 5200 * 604_800_000],
  ])('%s', (text, expected) => expect(checkTimeArg(text, NOW)).toEqual({ value: expected }));
});

// Each of these was silently rolled over (or thrown on) before: one line, the reason it gives.
describe('checkTimeArg refuses', () => {
  it.each([
    ['2026-02-30', 'day 30 does not exist: February 2026 has 28 days'],
    ['2026-02-29', 'day 29 does not exist: February 2026 has 28 days'],
    ['2026-04-31T10:00', 'day 31 does not exist: April 2026 has 30 days'],
    ['2026-00-10', 'month 0 does not exist (01..12)'],
    ['2026-13-01', 'month 13 does not exist (01..12)'],
    ['2026-11-21T24:00', 'hour 24 does not exist (00..23)'],
    ['2026-11-21T18:60', 'minute 60 does not exist (00..59)'],
    ['2026-11-21T18:00:60Z', 'second 60 does not exist (00..59)'],
    ['2026-11-21T18:00+25:00', 'zone "+25:00" is not an offset of at most 23:59'],
    ['0099-01-01', 'year 99 is before 1970'],
    ['999999999w', 'too far back (at most 36500d)'],
    ['yesterday', 'expected "now", a number with a unit'],
  ])('%s', (text, reason) => {
    const result = checkTimeArg(text, NOW);
    expect(result).toHaveProperty('error');
    expect((result as { error: string }).error).toContain(reason);
  });
});
