import { describe, expect, it } from 'vitest';
import { alertCode, codePrefix } from '../../src/alerts/codes.js';
import type { SeriesPoints } from '../../src/alerts/evaluate.js';
import { planAlerting, type AlertingInput } from '../../src/alerts/run-plan.js';
import type { Silence } from '../../src/alerts/silences.js';
import type { AlertRule } from '../../src/config/types.js';
import type { AlertRecord } from '../../src/store/alert-store.js';
import { alertRecord, HOUR, MIN, NOW, rule, silence as silenceOf } from './fixtures.js';

/** planAlerting is data in, data out: each case is an input and the plan it must give. */
const stored = (overrides: Partial<AlertRecord> = {}): AlertRecord =>
  alertRecord({ code: 'OLD', firingSince: NOW - 10 * MIN, notifiedAt: NOW - 10 * MIN, ...overrides });

const cpu = (host: string, value: number): SeriesPoints => ({ host, labels: {}, points: [{ ts: NOW - MIN, value }] });

const silence: Silence = silenceOf();

interface Case {
  readonly rules?: readonly AlertRule[];
  readonly polls?: AlertingInput['polls'];
  readonly open?: readonly AlertRecord[];
  readonly series?: readonly SeriesPoints[];
  readonly silences?: readonly Silence[];
  readonly takenCodes?: readonly string[];
}

function plan(c: Case) {
  const rules = c.rules ?? [rule()];
  return planAlerting({
    now: NOW,
    rules,
    polls: c.polls ?? [{ host: 'f4' }],
    open: new Map(rules.map((r) => [r.name, (c.open ?? []).filter((a) => a.rule === r.name)])),
    series: new Map(rules.map((r) => [r.name, c.series ?? []])),
    silences: c.silences ?? [],
    takenCodes: new Set(c.takenCodes ?? []),
  });
}

/** A plan, summed up: notices, what is saved per rule, mutes, and who is marked notified. */
function summary(c: Case) {
  const p = plan(c);
  return {
    notices: p.notices.map((n) => `${n.kind}:${n.alert.host}`),
    active: p.results.flatMap((r) => r.active.map((a) => `${a.status}:${a.host}`)),
    resolved: p.results.flatMap((r) => r.transitions.filter((t) => t.kind === 'resolved').map((t) => t.alert.code)),
    dropped: p.results.flatMap((r) => r.dropped),
    mutes: p.mutes.map((m) => `${m.code}:${m.reason?.split(' (')[0] ?? 'cleared'}`),
    notified: p.notified.length,
  };
}

const none = { notices: [], active: [], resolved: [], dropped: [], mutes: [], notified: 0 };

describe('planAlerting', () => {
  it.each<[string, Case, Partial<ReturnType<typeof summary>>]>([
    ['nothing over the limit: nothing to do', { series: [cpu('f4', 50)] }, none],
    ['over the limit: fires and is mailed at once', { series: [cpu('f4', 95)] }, { notices: ['firing:f4'], active: ['firing:f4'], notified: 1 }],
    ['over the limit with for=5m: pending, not mailed', { rules: [rule({ forMs: 5 * MIN })], series: [cpu('f4', 95)] }, { active: ['pending:f4'], notices: [] }],
    ['a pending alert that no longer holds is dropped', { rules: [rule({ forMs: 5 * MIN })], open: [stored({ state: 'pending', status: 'pending', firingSince: undefined })], series: [cpu('f4', 50)] }, { dropped: ['OLD'], active: [] }],
    ['a notified alert that clears: resolved and mailed', { open: [stored()], series: [cpu('f4', 50)] }, { resolved: ['OLD'], notices: ['resolved:f4'], notified: 0 }],
    ['a firing alert before repeat: kept, not mailed again', { open: [stored()], series: [cpu('f4', 95)] }, { active: ['firing:f4'], notices: [] }],
    ['a firing alert after repeat: reminded', { open: [stored({ notifiedAt: NOW - 4 * HOUR })], series: [cpu('f4', 95)] }, { active: ['firing:f4'], notices: ['reminder:f4'], notified: 1 }],
    ['a silenced host: recorded and muted, not mailed', { series: [cpu('f4', 95)], silences: [silence] }, { active: ['firing:f4'], notices: [], mutes: [expect.stringMatching(/^2204-CPU-[0-9a-f]{3}:silenced by #3 until 2026-11-22T05:00:00Z$/) as unknown as string] }],
    ['a host down: its alert is held, not resolved', { open: [stored()], polls: [{ host: 'f4', failure: { reason: 'unreachable' } }] }, { active: ['firing:f4'], notices: [], mutes: ['OLD:held back: host f4 is down'] }],
    ['a host not polled this run: its alert is left as it is', { open: [stored()], polls: [{ host: 'f5' }], series: [] }, { active: [], resolved: [], notices: [] }],
  ])('%s', (_name, c, expected) => {
    expect(summary(c)).toEqual({ ...none, ...expected });
  });

  it('carries the stored notification log over to the evaluated alert', () => {
    const p = plan({ open: [stored({ notifiedAt: NOW - 4 * HOUR, muted: 'old reason' })], series: [cpu('f4', 97)] });
    expect(p.notices[0]).toMatchObject({ kind: 'reminder', alert: { code: 'OLD', value: 97, notifiedAt: NOW - 4 * HOUR, state: 'firing' } });
    expect(p.mutes).toEqual([{ code: 'OLD', reason: undefined }]);
  });

  it('never hands out a code that is taken, in the database or earlier in the same run', () => {
    const short = alertCode('high-cpu', 'cpu_percent', 'f4', {}, NOW, () => false);
    expect(short.startsWith(codePrefix(NOW))).toBe(true);
    const p = plan({ series: [cpu('f4', 95)], takenCodes: [short] });
    const code = p.results[0]!.active[0]!.code;
    expect(code).not.toBe(short);
    expect(code.startsWith(short)).toBe(true);
  });

  it('is pure: the same input gives the same plan', () => {
    const c: Case = { open: [stored()], series: [cpu('f4', 50), cpu('f5', 99)], polls: [{ host: 'f4' }, { host: 'f5' }] };
    expect(plan(c)).toEqual(plan(c));
  });
});
