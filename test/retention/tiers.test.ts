import { describe, expect, it } from 'vitest';
import { EMPTY_TIERS, maintenanceDue, targets, type RetentionPolicy } from '../../src/retention/policy.js';
import { planTiers, preference, type Coverage } from '../../src/retention/tiers.js';

const H = 3_600_000;
const D = 24 * H;
const M = 60_000;

describe('preference', () => {
  it.each([
    [undefined, ['raw', '5m', '1h']],
    [60_000, ['raw', '5m', '1h']],
    [7 * M, ['raw', '5m', '1h']],
    [5 * M, ['5m', 'raw', '1h']],
    [10 * M, ['5m', 'raw', '1h']],
    [H, ['1h', '5m', 'raw']],
    [D, ['1h', '5m', 'raw']],
    [90 * M, ['5m', 'raw', '1h']],
  ] as const)('step %s -> %j', (step, order) => expect(preference(step)).toEqual(order));
});

// A host 100 days into its history: raw from day 70 (retention 30d), 5-minute roll-ups of
// days 10 to 99 (day 99 at 22:00 is as far as they are built), hourly from day 0 to 99 20:00.
const NOW = 100 * D;
const coverage: Coverage = { rawFrom: 70 * D, rollups: { '5m': { from: 10 * D, to: 99 * D + 22 * H }, '1h': { from: 0, to: 99 * D + 20 * H } } };

describe('planTiers', () => {
  it.each([
    ['the last hour, no step: raw', NOW - H, NOW, undefined, [['raw', NOW - H, NOW + 1]]],
    ['90 days, no step: roll-ups where the raw samples are gone', NOW - 90 * D, NOW, undefined, [['5m', 10 * D, 70 * D], ['raw', 70 * D, NOW + 1]]],
    ['400 days, no step: hourly before the 5-minute ones start', NOW - 400 * D, NOW, undefined, [['1h', 0, 10 * D], ['5m', 10 * D, 70 * D], ['raw', 70 * D, NOW + 1]]],
    ['a day at 1h steps: hourly while built, then 5-minute, then raw', NOW - D, NOW, H, [['1h', NOW - D, 99 * D + 20 * H], ['5m', 99 * D + 20 * H, 99 * D + 22 * H], ['raw', 99 * D + 22 * H, NOW + 1]]],
    ['a week at 10m steps: 5-minute, then raw', NOW - 7 * D, NOW, 10 * M, [['5m', NOW - 7 * D, 99 * D + 22 * H], ['raw', 99 * D + 22 * H, NOW + 1]]],
    ['a week at 7m steps (no roll-up tiles it): raw', NOW - 7 * D, NOW, 7 * M, [['raw', NOW - 7 * D, NOW + 1]]],
    ['old times at 1m steps: the finest tier left', 5 * D, 20 * D, M, [['1h', 5 * D, 10 * D], ['5m', 10 * D, 20 * D + 1]]],
    ['before anything was kept: nothing', -10 * D, -D, undefined, []],
  ] as const)('%s', (_name, since, until, step, expected) => {
    expect(planTiers(since, until, step, coverage).map((s) => [s.tier, s.from, s.to])).toEqual(expected);
  });

  it('a fresh host (nothing rolled up or removed) is read raw whatever the step', () => {
    const fresh: Coverage = { rawFrom: 0, rollups: { '5m': { from: 0, to: 0 }, '1h': { from: 0, to: 0 } } };
    expect(planTiers(NOW - 30 * D, NOW, H, fresh)).toEqual([{ tier: 'raw', from: NOW - 30 * D, to: NOW + 1 }]);
  });

  it('segments meet end to end, with no gap and no overlap', () => {
    for (const step of [undefined, M, 5 * M, 15 * M, H, D]) {
      const segments = planTiers(NOW - 120 * D, NOW, step, coverage);
      for (let i = 1; i < segments.length; i++) expect(segments[i]!.from).toBe(segments[i - 1]!.to);
    }
  });
});

const policy: RetentionPolicy = { rawMs: 30 * D, fiveMinuteMs: 365 * D, hourlyMs: 1825 * D, pollsMs: 30 * D, sentMailMs: 30 * D, resolvedAlertsMs: 365 * D, eventsMs: 365 * D };

describe('targets', () => {
  it('a new host: roll up to an hour ago (counters may arrive up to an hour late), remove nothing yet', () => {
    const now = 40 * D + 12 * H + 7 * M;
    expect(targets(now, policy, EMPTY_TIERS)).toEqual({ m5To: 40 * D + 11 * H + 5 * M, h1To: 0, rawFrom: 0, m5From: 0, h1From: 0 });
  });

  it('raw samples go only where rolled up, past retention, cut on an hour', () => {
    const now = 40 * D + 12 * H + 7 * M;
    const built = { ...EMPTY_TIERS, m5To: 5 * D + 3 * H + 10 * M, h1To: 5 * D };
    expect(targets(now, policy, built)).toMatchObject({ h1To: 5 * D + 3 * H, rawFrom: 5 * D + 3 * H });
    const caughtUp = { ...EMPTY_TIERS, m5To: 40 * D + 11 * H + 5 * M, h1To: 40 * D + 11 * H };
    expect(targets(now, policy, caughtUp)).toMatchObject({ rawFrom: 10 * D + 12 * H, m5From: 0, h1From: 0 });
  });

  it('never moves a tier back, even when its retention grew', () => {
    const state = { rawFrom: 20 * D, m5From: 3 * D, m5To: 39 * D, h1From: D, h1To: 38 * D };
    expect(targets(40 * D, { ...policy, rawMs: 300 * D, fiveMinuteMs: 1000 * D, hourlyMs: 2000 * D }, state)).toEqual({ ...state, m5To: 40 * D - H, h1To: 39 * D });
  });

  it.each([
    [undefined, 1000, true],
    [1000, 1000 + H - 1, false],
    [1000, 1000 + H, true],
    [1000, 500, true],
  ])('maintenanceDue(last %s, now %s) = %s', (last, now, due) => expect(maintenanceDue(last, now)).toBe(due));
});
