import type { Transition } from '../alerts/evaluate.js';
import type { AlertRule } from '../config/types.js';
import { formatNumber, seriesName } from '../mail/format.js';
import { formatLabels } from '../metrics/labels.js';
import type { NewEvent } from '../store/event-store.js';

/** One event per alert that started firing or resolved in a rule's evaluation, on the alert's host. */
export function alertEvents(rule: AlertRule, transitions: readonly Transition[]): NewEvent[] {
  return transitions.map((t): NewEvent => {
    const { alert } = t;
    const series = seriesName(rule.metric, alert.labels);
    const details = { code: alert.code, rule: rule.name, metric: rule.metric, labels: formatLabels(alert.labels) };
    if (t.kind === 'firing') {
      return {
        ts: alert.firingSince ?? alert.activeSince,
        host: alert.host,
        kind: 'alert_firing',
        severity: rule.severity,
        text: `alert ${alert.code} firing: ${series} is ${formatNumber(alert.value)} ${rule.op} ${formatNumber(rule.value)} (${rule.name})`,
        details: { ...details, value: alert.value },
      };
    }
    const value = t.value ?? alert.value;
    return {
      ts: t.resolvedAt,
      host: alert.host,
      kind: 'alert_resolved',
      severity: 'info',
      text: `alert ${alert.code} resolved: ${series} is ${formatNumber(value)} (${rule.name})`,
      details: { ...details, value },
    };
  });
}
