import type { AlertRule, Config, Host } from '../config/types.js';
import { alertCode } from '../alerts/codes.js';
import { lookbackMs } from '../alerts/condition.js';
import { evaluateRule, type ActiveAlert, type Transition } from '../alerts/evaluate.js';
import { groupByRecipients, planNotices, type Notice } from '../alerts/plan.js';
import { POLLER_HOST, POLLER_SIDE, pollerHost, SELF_RULES } from '../alerts/self-monitoring.js';
import { canonicalLabels, matchesLabels } from '../metrics/labels.js';
import type { Notification } from '../alerts/types.js';
import type { AlertRecord, AlertStore } from '../store/alert-store.js';
import type { PollRecord } from '../poll/records.js';
import type { Store } from '../store/store.js';
import type { SilenceStore } from '../store/silence-store.js';
import { buildNotification, chartSpanMs } from './views.js';

/** A rendered message ready for the outbox. */
export interface QueuedMessage {
  readonly messageId: string;
  /** Envelope sender, a bare address. */
  readonly sender: string;
  readonly recipients: readonly string[];
  readonly subject: string;
  readonly raw: Buffer;
}

export interface AlertingDeps {
  readonly config: Config;
  readonly store: Store;
  readonly alerts: AlertStore;
  readonly silences: SilenceStore;
  readonly now: number;
  /** This run's polls: only their hosts are evaluated, and their failures are "host down". */
  readonly polls: readonly PollRecord[];
  /** Renders a notification to the message as it will be sent (chart and all). */
  readonly compose: (notification: Notification) => Promise<QueuedMessage>;
  /** Stores the messages and the evaluation in one transaction (outbox first, never lost). */
  readonly commit: (work: Commit) => void;
}

export interface RuleResult {
  readonly rule: AlertRule;
  readonly active: readonly ActiveAlert[];
  readonly transitions: readonly Transition[];
  readonly dropped: readonly string[];
}

export interface Commit {
  readonly results: readonly RuleResult[];
  readonly messages: readonly QueuedMessage[];
  readonly notified: readonly string[];
  readonly mutes: ReadonlyArray<{ readonly code: string; readonly reason: string | undefined }>;
}

/**
 * Hosts a rule applies to: those it names, plus the members of the groups it names; all
 * configured hosts when it names none (metrix's own pseudo-host only when named).
 */
export function inScope(rule: AlertRule, host: Host): boolean {
  if (rule.hosts.length === 0 && rule.groups.length === 0) return host.name !== POLLER_HOST;
  return rule.hosts.includes(host.name) || rule.groups.some((group) => host.groups.includes(group));
}

/**
 * One run of alerting: evaluate every rule on this run's hosts, decide what to tell whom,
 * render the mail, and hand it all to `commit` to store at once. Returns the notices.
 */
export async function runAlerting(deps: AlertingDeps): Promise<Notice[]> {
  const { config, store, alerts, now } = deps;
  const polled = new Map(deps.polls.map((poll) => [poll.host, poll]));
  const hostsDown = new Set(deps.polls.filter((poll) => poll.failure).map((poll) => poll.host));
  const pollerSide = new Set(deps.polls.filter((poll) => poll.failure && POLLER_SIDE.includes(poll.failure.reason)).map((poll) => poll.host));
  const allRules = [...config.alerts, ...SELF_RULES];
  const hosts = [...config.hosts, pollerHost];
  const rules = new Map(allRules.map((rule) => [rule.name, rule]));
  const results: RuleResult[] = [];
  const firing: AlertRecord[] = [];
  const resolved: AlertRecord[] = [];
  for (const rule of allRules) {
    const previous = alerts.open(rule.name);
    const evaluated = previous.filter((alert) => polled.has(alert.host) || alert.host === POLLER_HOST);
    const series = hosts
      .filter((host) => (polled.has(host.name) || host === pollerHost) && inScope(rule, host))
      .flatMap((host) =>
        store
          .range({ host: host.name, metric: rule.metric, since: now - lookbackMs(rule.windowMs), until: now })
          .filter((s) => matchesLabels(s.labels, rule.labels))
          .map((s) => ({ host: host.name, labels: s.labels, points: s.points })),
      );
    const result = evaluateRule(rule, series, evaluated, {
      now,
      hostsDown,
      newCode: (r, host, labels) => alertCode(r.name, r.metric, host, labels, now, (code) => alerts.codeTaken(code)),
    });
    const kept = new Set(result.active.map((alert) => alert.code));
    const dropped = evaluated.filter((alert) => alert.state === 'pending' && !kept.has(alert.code)).map((alert) => alert.code);
    results.push({ rule, ...result, dropped });
    const byCode = new Map(previous.map((alert) => [alert.code, alert]));
    const record = (alert: ActiveAlert, state: AlertRecord['state'], extra: Partial<AlertRecord> = {}): AlertRecord => ({
      notifiedAt: undefined,
      muted: undefined,
      resolvedAt: undefined,
      ...byCode.get(alert.code),
      ...alert,
      metric: rule.metric,
      severity: rule.severity,
      state,
      ...extra,
    });
    firing.push(...result.active.filter((a) => a.status === 'firing').map((a) => record(a, 'firing')));
    firing.push(...previous.filter((a) => !evaluated.includes(a) && a.state === 'firing'));
    for (const t of result.transitions) {
      if (t.kind === 'resolved') resolved.push(record(t.alert, 'resolved', { resolvedAt: t.resolvedAt, value: t.value ?? t.alert.value }));
    }
  }
  const plan = planNotices({ now, rules, firing, resolved, silences: deps.silences.current(now), hostsDown, pollerSide });
  const sources = {
    now,
    samples: (notice: Notice) => {
      const wanted = canonicalLabels(notice.alert.labels);
      return store
        .range({ host: notice.alert.host, metric: notice.rule.metric, since: now - chartSpanMs(notice.rule), until: now })
        .find((s) => canonicalLabels(s.labels) === wanted)?.points ?? [];
    },
    downReason: (host: string) => {
      const failure = polled.get(host)?.failure;
      return failure && `${failure.reason}: ${failure.message}`;
    },
  };
  const groups = groupByRecipients(plan.notices, config.mail.to);
  const messages = await Promise.all(groups.map((group) => deps.compose(buildNotification(group.to, group.notices, sources))));
  const notified = plan.notices.filter((n) => n.kind !== 'resolved').map((n) => n.alert.code);
  deps.commit({ results, messages, notified, mutes: plan.mutes });
  return plan.notices;
}
