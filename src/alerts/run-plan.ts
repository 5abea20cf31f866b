import type { AlertRule } from '../config/types.js';
import type { FailureReason } from '../result.js';
import type { AlertRecord } from '../store/alert-store.js';
import { alertCode } from './codes.js';
import { evaluateRule, type ActiveAlert, type SeriesPoints, type Transition } from './evaluate.js';
import { planNotices, type Notice } from './plan.js';
import { POLLER_HOST, POLLER_SIDE } from './self-monitoring.js';
import type { Silence } from './silences.js';

/** A host polled this run, and why it failed if it did (a PollRecord fits). */
export interface PolledHost {
  readonly host: string;
  readonly failure?: { readonly reason: FailureReason } | undefined;
}

/** Everything one run of alerting decides on, read beforehand: no I/O happens while planning. */
export interface AlertingInput {
  readonly now: number;
  /** The configured rules and metrix's own. */
  readonly rules: readonly AlertRule[];
  readonly polls: readonly PolledHost[];
  /** Each rule's pending and firing alerts as stored, by rule name. */
  readonly open: ReadonlyMap<string, readonly AlertRecord[]>;
  /** Each rule's series over its lookback, on the hosts in its scope polled this run, by rule name. */
  readonly series: ReadonlyMap<string, readonly SeriesPoints[]>;
  readonly silences: readonly Silence[];
  /** Codes in use that a code made now could collide with (see codePrefix). */
  readonly takenCodes: ReadonlySet<string>;
}

export interface RuleResult {
  readonly rule: AlertRule;
  readonly active: readonly ActiveAlert[];
  readonly transitions: readonly Transition[];
  /** Pending alerts that no longer hold: deleted, as if never raised. */
  readonly dropped: readonly string[];
}

/** What to store and what to say, as data: the commit step writes it in one transaction. */
export interface AlertingPlan {
  readonly results: readonly RuleResult[];
  readonly notices: readonly Notice[];
  readonly mutes: ReadonlyArray<{ readonly code: string; readonly reason: string | undefined }>;
  /** Alerts whose firing notice or reminder goes out now. */
  readonly notified: readonly string[];
}

/** An alert as it will be stored after this run: the evaluation laid over the stored record. */
function toRecord(rule: AlertRule, stored: AlertRecord | undefined, alert: ActiveAlert, state: AlertRecord['state'], extra: Partial<AlertRecord> = {}): AlertRecord {
  return { notifiedAt: undefined, muted: undefined, resolvedAt: undefined, ...stored, ...alert, metric: rule.metric, severity: rule.severity, state, ...extra };
}

/**
 * One run of alerting as a pure function (Alertmanager's needsUpdate(now), changesets'
 * assembleReleasePlan): evaluates every rule on this run's hosts, merges the result with the
 * stored alerts, and decides what to tell whom. The same input gives the same plan.
 */
export function planAlerting(input: AlertingInput): AlertingPlan {
  const { now } = input;
  const polled = new Set(input.polls.map((poll) => poll.host));
  const hostsDown = new Set(input.polls.filter((poll) => poll.failure).map((poll) => poll.host));
  const pollerSide = new Set(input.polls.filter((poll) => poll.failure && POLLER_SIDE.includes(poll.failure.reason)).map((poll) => poll.host));
  // Codes made in this run count as taken too: two new alerts can share a hash prefix.
  const taken = new Set(input.takenCodes);
  const newCode = (rule: AlertRule, host: string, labels: ActiveAlert['labels']): string => {
    const code = alertCode(rule.name, rule.metric, host, labels, now, (candidate) => taken.has(candidate));
    taken.add(code);
    return code;
  };
  const results: RuleResult[] = [];
  const firing: AlertRecord[] = [];
  const resolved: AlertRecord[] = [];
  for (const rule of input.rules) {
    const stored = input.open.get(rule.name) ?? [];
    const evaluated = stored.filter((alert) => polled.has(alert.host) || alert.host === POLLER_HOST);
    const result = evaluateRule(rule, input.series.get(rule.name) ?? [], evaluated, { now, hostsDown, newCode });
    const kept = new Set(result.active.map((alert) => alert.code));
    const dropped = evaluated.filter((alert) => alert.state === 'pending' && !kept.has(alert.code)).map((alert) => alert.code);
    results.push({ rule, ...result, dropped });
    const byCode = new Map(stored.map((alert) => [alert.code, alert]));
    firing.push(...result.active.filter((a) => a.status === 'firing').map((a) => toRecord(rule, byCode.get(a.code), a, 'firing')));
    // Alerts of hosts not polled this run stay as they were, firing ones included.
    firing.push(...stored.filter((a) => !evaluated.includes(a) && a.state === 'firing'));
    for (const t of result.transitions) {
      if (t.kind === 'resolved') resolved.push(toRecord(rule, byCode.get(t.alert.code), t.alert, 'resolved', { resolvedAt: t.resolvedAt, value: t.value ?? t.alert.value }));
    }
  }
  const rules = new Map(input.rules.map((rule) => [rule.name, rule]));
  const plan = planNotices({ now, rules, firing, resolved, silences: input.silences, hostsDown, pollerSide });
  const notified = plan.notices.filter((n) => n.kind !== 'resolved').map((n) => n.alert.code);
  return { results, notices: plan.notices, mutes: plan.mutes, notified };
}
