import type { AlertRule } from '../config/types.js';
import { canonicalLabels, type Labels } from '../metrics/labels.js';
import { compare, windowValue } from './condition.js';
import type { Point } from './types.js';

/** A rule's state on one series while the rule is pending or firing; persisted between runs. */
export interface ActiveAlert {
  readonly rule: string;
  readonly host: string;
  readonly labels: Labels;
  readonly code: string;
  readonly status: 'pending' | 'firing';
  /** When the condition started to hold. */
  readonly activeSince: number;
  readonly firingSince: number | undefined;
  /** While firing: the first evaluation at which it no longer held; keepFiringFor counts from here. */
  readonly clearingSince: number | undefined;
  /** The last value decided on. */
  readonly value: number;
}

export interface SeriesPoints {
  readonly host: string;
  readonly labels: Labels;
  readonly points: readonly Point[];
}

export type Transition =
  | { readonly kind: 'firing'; readonly alert: ActiveAlert }
  | { readonly kind: 'resolved'; readonly alert: ActiveAlert; readonly resolvedAt: number; readonly value: number | undefined };

export interface EvaluateContext {
  readonly now: number;
  /** Hosts whose last poll failed: their alerts on other metrics are held as they are. */
  readonly hostsDown: ReadonlySet<string>;
  /** Makes the short code of an alert that starts now. */
  readonly newCode: (rule: AlertRule, host: string, labels: Labels) => string;
}

export interface Evaluation {
  /** The rule's pending and firing alerts after this evaluation. */
  readonly active: ActiveAlert[];
  readonly transitions: Transition[];
}

export const seriesKey = (host: string, labels: Labels): string => `${host}\u0000${canonicalLabels(labels)}`;

/**
 * Evaluates one rule over the series in its scope, given its alerts from the previous
 * run. Pure: the same inputs and `now` give the same result.
 */
export function evaluateRule(rule: AlertRule, series: readonly SeriesPoints[], previous: readonly ActiveAlert[], ctx: EvaluateContext): Evaluation {
  const prevByKey = new Map(previous.map((alert) => [seriesKey(alert.host, alert.labels), alert]));
  const seriesByKey = new Map(series.map((s) => [seriesKey(s.host, s.labels), s]));
  const keys = new Set([...seriesByKey.keys(), ...prevByKey.keys()]);
  const active: ActiveAlert[] = [];
  const transitions: Transition[] = [];
  for (const key of keys) {
    const prev = prevByKey.get(key);
    const current = seriesByKey.get(key);
    const host = current?.host ?? prev!.host;
    const labels = current?.labels ?? prev!.labels;
    if (rule.metric !== 'host_up' && ctx.hostsDown.has(host)) {
      if (prev) active.push(prev); // held: no stale symptom resolves or fires while its host is down
      continue;
    }
    const value = windowValue(current?.points ?? [], rule.windowMs, ctx.now);
    const next = step(rule, prev, value, ctx, host, labels);
    if (next.alert) active.push(next.alert);
    if (next.transition) transitions.push(next.transition);
  }
  return { active, transitions };
}

function step(
  rule: AlertRule,
  prev: ActiveAlert | undefined,
  value: number | undefined,
  ctx: EvaluateContext,
  host: string,
  labels: Labels,
): { alert?: ActiveAlert; transition?: Transition } {
  const { now } = ctx;
  if (prev?.status === 'firing') {
    // Hysteresis: once firing, it takes passing `clear` (when set) to count as cleared.
    const holds = value !== undefined && compare(value, rule.op, rule.clear ?? rule.value);
    if (holds) return { alert: { ...prev, clearingSince: undefined, value: value! } };
    const clearingSince = prev.clearingSince ?? now;
    if (now - clearingSince < rule.keepFiringForMs) return { alert: { ...prev, clearingSince, value: value ?? prev.value } };
    return { transition: { kind: 'resolved', alert: prev, resolvedAt: now, value } };
  }
  if (value === undefined || !compare(value, rule.op, rule.value)) return {};
  const activeSince = prev?.activeSince ?? now;
  const code = prev?.code ?? ctx.newCode(rule, host, labels);
  const base = { rule: rule.name, host, labels, code, activeSince, clearingSince: undefined, value };
  if (now - activeSince >= rule.forMs) {
    const alert: ActiveAlert = { ...base, status: 'firing', firingSince: now };
    return { alert, transition: { kind: 'firing', alert } };
  }
  return { alert: { ...base, status: 'pending', firingSince: undefined } };
}
