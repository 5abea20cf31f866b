import { describe, expect, it } from 'vitest';
import { staleAfter, stateBar, type StateBarInput } from '../../src/serve/state-bar.js';

const MIN = 60_000;
const base = (over: Partial<StateBarInput>): StateBarInput => ({ since: 0, until: 60 * MIN, before: undefined, polls: [], firing: [], staleAfterMs: 3 * MIN, ...over });
const polls = (from: number, to: number, ok = true): Array<{ ts: number; ok: boolean }> => {
  const out = [];
  for (let t = from; t <= to; t += MIN) out.push({ ts: t, ok });
  return out;
};

describe('stateBar: the last hours of a host as contiguous segments (pure)', () => {
  it('no polls at all: one unknown segment', () => {
    expect(stateBar(base({})).segments).toEqual([{ from: 0, to: 60 * MIN, state: 'unknown' }]);
  });

  it('polled every minute, up throughout: one up segment (the poll before the window gives the start)', () => {
    const bar = stateBar(base({ before: { ts: -30_000, ok: true }, polls: polls(0, 60 * MIN) }));
    expect(bar.segments).toEqual([{ from: 0, to: 60 * MIN, state: 'up' }]);
  });

  it('down in the middle, then up again; unknown before the first poll', () => {
    const bar = stateBar(base({ polls: [...polls(10 * MIN, 19 * MIN), ...polls(20 * MIN, 29 * MIN, false), ...polls(30 * MIN, 60 * MIN)] }));
    expect(bar.segments).toEqual([
      { from: 0, to: 10 * MIN, state: 'unknown' },
      { from: 10 * MIN, to: 20 * MIN, state: 'up' },
      { from: 20 * MIN, to: 30 * MIN, state: 'down' },
      { from: 30 * MIN, to: 60 * MIN, state: 'up' },
    ]);
  });

  it('a poller that stopped: the last outcome holds until stale, then unknown', () => {
    const bar = stateBar(base({ polls: polls(0, 20 * MIN) }));
    expect(bar.segments).toEqual([
      { from: 0, to: 23 * MIN, state: 'up' },
      { from: 23 * MIN, to: 60 * MIN, state: 'unknown' },
    ]);
  });

  it('alerting while up and an alert fires (open alert runs to the end); down wins over alerting', () => {
    const bar = stateBar(
      base({
        polls: [...polls(0, 29 * MIN), ...polls(30 * MIN, 39 * MIN, false), ...polls(40 * MIN, 60 * MIN)],
        firing: [{ from: 10 * MIN, to: 15 * MIN }, { from: 25 * MIN, to: undefined }],
      }),
    );
    expect(bar.segments).toEqual([
      { from: 0, to: 10 * MIN, state: 'up' },
      { from: 10 * MIN, to: 15 * MIN, state: 'alerting' },
      { from: 15 * MIN, to: 25 * MIN, state: 'up' },
      { from: 25 * MIN, to: 30 * MIN, state: 'alerting' },
      { from: 30 * MIN, to: 40 * MIN, state: 'down' },
      { from: 40 * MIN, to: 60 * MIN, state: 'alerting' },
    ]);
  });

  it('segments always tile [since, until] exactly', () => {
    const bar = stateBar(base({ polls: [{ ts: 5 * MIN, ok: true }, { ts: 5 * MIN, ok: false }, { ts: 70 * MIN, ok: true }], firing: [{ from: -MIN, to: 90 * MIN }] }));
    expect(bar.segments[0]!.from).toBe(0);
    expect(bar.segments[bar.segments.length - 1]!.to).toBe(60 * MIN);
    bar.segments.slice(1).forEach((s, i) => expect(s.from).toBe(bar.segments[i]!.to));
  });

  it('staleAfter: three usual gaps, at least two minutes; ten minutes when it cannot tell', () => {
    expect(staleAfter(polls(0, 10 * MIN))).toBe(3 * MIN);
    expect(staleAfter(polls(0, 10 * MIN).filter((_, i) => i % 1 === 0).map((p) => ({ ...p, ts: p.ts / 6 })))).toBe(2 * MIN);
    expect(staleAfter([{ ts: 0, ok: true }])).toBe(10 * MIN);
  });
});
