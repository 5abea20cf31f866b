import type { AlertView } from '../alerts/types.js';
import type { Severity } from '../config/types.js';
import { canonicalLabels } from '../metrics/labels.js';

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, warning: 1, info: 2 };

/**
 * The order alerts appear in a mail: firing before resolved; firing by severity (critical
 * first), new before reminders; then host, rule and labels so the order is stable.
 */
export function sortAlerts(alerts: readonly AlertView[]): AlertView[] {
  const key = (a: AlertView): [number, number, number] => [
    a.state === 'firing' ? 0 : 1,
    a.state === 'firing' ? SEVERITY_RANK[a.severity] : 0,
    a.reminder ? 1 : 0,
  ];
  return [...alerts].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) {
      const diff = (ka[i] ?? 0) - (kb[i] ?? 0);
      if (diff !== 0) return diff;
    }
    return a.host.localeCompare(b.host) || a.rule.localeCompare(b.rule) || canonicalLabels(a.labels).localeCompare(canonicalLabels(b.labels));
  });
}

export interface MailCounts {
  readonly hostsDown: number;
  readonly firing: number;
  /** Firing alerts notified for the first time (not reminders). */
  readonly newFiring: number;
  readonly resolved: number;
}

export function countAlerts(alerts: readonly AlertView[], hostsDown: number): MailCounts {
  const firing = alerts.filter((a) => a.state === 'firing');
  return {
    hostsDown,
    firing: firing.length,
    newFiring: firing.filter((a) => !a.reminder).length,
    resolved: alerts.length - firing.length,
  };
}
