import { describe, expect, it } from 'vitest';
import type { AlertRule } from '../../src/config/types.js';
import { evaluateRule, type ActiveAlert } from '../../src/alerts/evaluate.js';
import type { Point } from '../../src/alerts/types.js';

const MIN = 60_000;

const rule = (overrides: Partial<AlertRule> = {}): AlertRule => ({
  name: 'high-cpu',
  metric: 'cpu_percent',
  labels: {},
  op: '>',
  value: 90,
  windowMs: 0,
  forMs: 0,
  keepFiringForMs: 0,
  clear: undefined,
  repeatMs: 4 * 60 * MIN,
  severity: 'warning',
  sendResolved: true,
  hosts: [],
  groups: [],
  to: undefined,
  ...overrides,
});

/**
 * Replays one series polled every `every` ms (null = a missed poll, no sample stored) and
 * evaluates after each poll. Returns one letter per poll: F fired, R resolved, p pending,
 * f still firing, . nothing.
 */
function replay(r: AlertRule, values: ReadonlyArray<number | null>, every = MIN, hostDownAt: ReadonlySet<number> = new Set()): string {
  const points: Point[] = [];
  let active: ActiveAlert[] = [];
  let out = '';
  values.forEach((value, i) => {
    const now = i * every;
    if (value !== null) points.push({ ts: now, value });
    const result = evaluateRule(r, [{ host: 'f4', labels: {}, points }], active, {
      now,
      hostsDown: hostDownAt.has(i) ? new Set(['f4']) : new Set(),
      newCode: () => 'CODE',
    });
    const t = result.transitions[0];
    active = result.active;
    out += t ? (t.kind === 'firing' ? 'F' : 'R') : active[0]?.status === 'pending' ? 'p' : active[0]?.status === 'firing' ? 'f' : '.';
  });
  return out;
}

describe('evaluateRule over sample sequences', () => {
  it.each([
    // name, rule, values polled every minute, expected letters
    ['fires and resolves on the limit', rule(), [50, 95, 96, 50], '.FfR'],
    ['limit itself does not fire for >', rule(), [90, 90], '..'],
    ['>= fires on the limit', rule({ op: '>=' }), [90], 'F'],
    ['< for a low value', rule({ metric: 'disk_free_bytes', op: '<', value: 10 }), [50, 5, 20], '.FR'],
    ['for 3m at 1m polls fires on the 4th sample', rule({ forMs: 3 * MIN }), [95, 95, 95, 95, 95], 'pppFf'],
    ['for 30s, shorter than the poll interval, needs two polls', rule({ forMs: 30_000 }), [95, 95], 'pF'],
    ['a flap around the limit never fires with for', rule({ forMs: 3 * MIN }), [95, 85, 95, 85, 95, 85], 'p.p.p.'],
    ['a flap while firing resolves without keepFiringFor', rule(), [95, 85, 95, 85], 'FRFR'],
    ['keepFiringFor holds through a flap', rule({ keepFiringForMs: 2 * MIN }), [95, 85, 95, 85, 85, 85], 'FffffR'],
    ['clear gives hysteresis: 85 keeps firing, 79 resolves', rule({ clear: 80 }), [95, 85, 81, 79], 'FffR'],
    ['a single missing poll does not resolve a last-sample rule', rule(), [95, 95, null, 95], 'Ffff'],
    ['a single missing poll does not reset for', rule({ forMs: 3 * MIN, windowMs: 5 * MIN }), [95, 95, null, 95, 95], 'pppFf'],
    ['a series that disappears resolves once its last sample is stale (5m)', rule(), [95, null, null, null, null, null, null], 'FfffffR'],
    ['a window averages: 100 then 80 is 90, not > 90', rule({ windowMs: 5 * MIN }), [100, 80, 100, 80], 'FRFR'],
    ['a window averages out one spike', rule({ windowMs: 5 * MIN }), [50, 50, 50, 100, 50], '.....'],
    ['a counter reset leaves one rate missing: no false resolve', rule({ metric: 'net_rx_bytes_per_sec', value: 1e6, windowMs: 3 * MIN }), [2e6, 2e6, null, 2e6], 'Ffff'],
  ])('%s', (_name, r, values, expected) => {
    expect(replay(r, values)).toBe(expected);
  });

  it('holds a firing alert as it is while its host is down, then goes on', () => {
    // Down from poll 2 to 8: long enough for the last sample to go stale, yet nothing resolves.
    const down = new Set([2, 3, 4, 5, 6, 7, 8]);
    expect(replay(rule(), [95, 95, null, null, null, null, null, null, null, 95, 50], MIN, down)).toBe('FfffffffffR');
    expect(replay(rule(), [95, 95, null, null, null, null, null, null, null, 95, 50], MIN)).toBe('FffffffR.FR'); // without the hold: a false resolve and a second mail
  });

  it('does not hold host_up rules back while the host is down', () => {
    const hostDown = rule({ name: 'host-down', metric: 'host_up', op: '==', value: 0, forMs: 2 * MIN });
    expect(replay(hostDown, [1, 0, 0, 0, 1], MIN, new Set([1, 2, 3]))).toBe('.ppFR');
  });

  it('keeps the code and the start of an alert from pending to firing', () => {
    const r = rule({ forMs: MIN });
    let codes = 0;
    const ctx = (now: number) => ({ now, hostsDown: new Set<string>(), newCode: () => `C${++codes}` });
    const first = evaluateRule(r, [{ host: 'f4', labels: {}, points: [{ ts: 0, value: 95 }] }], [], ctx(0));
    const second = evaluateRule(r, [{ host: 'f4', labels: {}, points: [{ ts: 0, value: 95 }, { ts: MIN, value: 97 }] }], first.active, ctx(MIN));
    expect(second.transitions).toEqual([{ kind: 'firing', alert: { rule: 'high-cpu', host: 'f4', labels: {}, code: 'C1', status: 'firing', activeSince: 0, firingSince: MIN, clearingSince: undefined, value: 97 } }]);
    expect(codes).toBe(1);
  });

  it('keeps one state per series: a rule on two mounts', () => {
    const r = rule({ metric: 'disk_used_percent' });
    const result = evaluateRule(
      r,
      [
        { host: 'f4', labels: { mount: '/' }, points: [{ ts: 0, value: 95 }] },
        { host: 'f4', labels: { mount: '/data' }, points: [{ ts: 0, value: 20 }] },
        { host: 'f5', labels: { mount: '/' }, points: [{ ts: 0, value: 99 }] },
      ],
      [],
      { now: 0, hostsDown: new Set(), newCode: (_r, host, labels) => `${host}:${labels.mount}` },
    );
    expect(result.active.map((a) => a.code)).toEqual(['f4:/', 'f5:/']);
  });
});
