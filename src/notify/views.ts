import { createHash } from 'node:crypto';
import type { AlertRule } from '../config/types.js';
import type { Notice } from '../alerts/plan.js';
import type { AlertDetail, AlertView, HostDownView, Notification, Point } from '../alerts/types.js';
import { hostEvents, type EventReader } from '../events/mail-events.js';
import { canonicalLabels } from '../metrics/labels.js';

const HOUR = 3_600_000;

/** How much history a chart shows: at least an hour, and enough to see the window and `for` play out. */
export function chartSpanMs(rule: AlertRule): number {
  return Math.max(HOUR, 6 * rule.windowMs, 3 * rule.forMs);
}

export interface ViewSources {
  readonly now: number;
  /** The series behind an alert over the chart span, oldest first. */
  readonly samples: (notice: Notice) => readonly Point[];
  /** Why a host could not be polled this run, if it could not. */
  readonly downReason: (host: string) => string | undefined;
  /** Host text behind an alert (a check's output, a log's lines), if it has any. */
  readonly detail?: (notice: Notice) => AlertDetail | undefined;
  /** The hosts' recent events for the mail's events section; no section without it. */
  readonly events?: EventReader;
}

export function alertView(notice: Notice, samples: readonly Point[], detail?: AlertDetail): AlertView {
  const { alert, rule, kind } = notice;
  return {
    ...(detail === undefined ? {} : { detail }),
    code: alert.code,
    rule: rule.name,
    metric: rule.metric,
    host: alert.host,
    labels: alert.labels,
    op: rule.op,
    limit: rule.value,
    ...(rule.clear === undefined ? {} : { clear: rule.clear }),
    value: alert.value,
    windowMs: rule.windowMs,
    severity: rule.severity,
    state: kind === 'resolved' ? 'resolved' : 'firing',
    activeSince: alert.activeSince,
    ...(alert.resolvedAt === undefined ? {} : { resolvedAt: alert.resolvedAt }),
    reminder: kind === 'reminder',
    samples,
  };
}

/**
 * The notification for one recipient list. A firing host_up alert becomes a "host down"
 * line at the top rather than one more chart; everything else is an alert with its series.
 */
export function buildNotification(to: readonly string[], notices: readonly Notice[], sources: ViewSources): Notification {
  const hostsDown: HostDownView[] = [];
  const alerts: AlertView[] = [];
  for (const notice of notices) {
    if (notice.rule.metric === 'host_up' && notice.kind !== 'resolved') {
      hostsDown.push({ host: notice.alert.host, since: notice.alert.activeSince, reason: sources.downReason(notice.alert.host) ?? 'not answering' });
    } else {
      alerts.push(alertView(notice, sources.samples(notice), sources.detail?.(notice)));
    }
  }
  const events = sources.events ? hostEvents(notices, sources.now, sources.events) : [];
  return { id: notificationId(to, notices, sources.now), to, createdAt: sources.now, alerts, hostsDown, ...(events.length > 0 ? { events } : {}) };
}

/** Unique per run, recipients and content; stored with the message, so retries keep it. */
export function notificationId(to: readonly string[], notices: readonly Notice[], now: number): string {
  const what = notices.map((n) => `${n.kind}:${n.alert.code}:${canonicalLabels(n.alert.labels)}`).join('|');
  return createHash('sha256').update(`${to.join(',')}|${now}|${what}`).digest('hex').slice(0, 20);
}
