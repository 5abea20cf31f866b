import type { AlertView, HostDownView, Notification } from '../alerts/types.js';
import { countAlerts, type MailCounts } from './alert-order.js';
import { formatNumber, oneLine, seriesName, truncate } from './format.js';

/** Longest subject we write; RFC 5322 allows more, but mail clients cut long lines anyway. */
export const MAX_SUBJECT = 200;

/**
 * The subject line, one safe line (no CR/LF or other controls, whatever the hosts and labels hold):
 * - one alert: `ALERT [f4] cpu_percent is 93.4 > 90 (high-cpu)`, `RESOLVED [f4] cpu_percent is 71.2 (high-cpu)`,
 *   `REMINDER [f4] ...` for a reminder;
 * - one host down and nothing else: `ALERT [f4] host down (connect-timeout)`;
 * - anything more: a prefix and counts, hosts down first: `ALERT f4 down, 3 firing, 1 resolved`,
 *   `ALERT 12 firing (3 new), 3 resolved`, `REMINDER 2 firing`, `RESOLVED 3 alerts`.
 *   The prefix is ALERT when anything is new (a host down or a new firing alert), REMINDER when
 *   only reminders fire, RESOLVED when everything has cleared.
 */
export function composeSubject(notification: Pick<Notification, 'alerts' | 'hostsDown'>): string {
  const { alerts, hostsDown } = notification;
  const only = alerts[0];
  const down = hostsDown[0];
  let subject: string;
  if (alerts.length === 1 && hostsDown.length === 0 && only) subject = singleAlertSubject(only);
  else if (alerts.length === 0 && hostsDown.length === 1 && down) subject = `ALERT [${oneLine(down.host)}] host down (${shortReason(down)})`;
  else if (alerts.length === 0 && hostsDown.length === 0) subject = 'metrix: nothing to report';
  else subject = groupedSubject(countAlerts(alerts, hostsDown.length), hostsDown);
  return truncate(oneLine(subject), MAX_SUBJECT);
}

function singleAlertSubject(alert: AlertView): string {
  const what = `[${oneLine(alert.host)}] ${seriesName(alert.metric, alert.labels)} is ${formatNumber(alert.value)}`;
  const rule = `(${oneLine(alert.rule)})`;
  if (alert.state === 'resolved') return `RESOLVED ${what} ${rule}`;
  return `${alert.reminder ? 'REMINDER' : 'ALERT'} ${what} ${alert.op} ${formatNumber(alert.limit)} ${rule}`;
}

function groupedSubject(counts: MailCounts, hostsDown: readonly HostDownView[]): string {
  const parts: string[] = [];
  if (hostsDown.length > 0) {
    const names = hostsDown.map((h) => oneLine(h.host));
    parts.push(names.length <= 3 ? `${names.join(', ')} down` : `${names.length} hosts down`);
  }
  if (counts.firing > 0) {
    const reminders = counts.firing - counts.newFiring;
    parts.push(counts.newFiring > 0 && reminders > 0 ? `${counts.firing} firing (${counts.newFiring} new)` : `${counts.firing} firing`);
  }
  if (counts.resolved > 0) parts.push(`${counts.resolved} resolved`);
  const prefix = counts.hostsDown > 0 || counts.newFiring > 0 ? 'ALERT' : counts.firing > 0 ? 'REMINDER' : 'RESOLVED';
  if (prefix === 'RESOLVED') return `RESOLVED ${counts.resolved} alerts`;
  return `${prefix} ${parts.join(', ')}`;
}

/** The reason's first word, e.g. `connect-timeout` from `connect-timeout: no SSH handshake within 10s`. */
function shortReason(down: HostDownView): string {
  const head = oneLine(down.reason).split(/[:\s]/)[0] ?? '';
  return truncate(head === '' ? 'no answer' : head, 40);
}
