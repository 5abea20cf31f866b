import { metricInfo, METRICS } from '../metrics/catalog.js';
import { readAttributes } from './attributes.js';
import { ALERT_ATTRS } from './schema.js';
import { describeElement } from './shape.js';
import { didYouMean } from './suggest.js';
import type { AlertRule, CompareOp } from './types.js';
import type { XmlElement } from './xml.js';

export const ALERT_DEFAULTS = {
  windowMs: 0,
  forMs: 0,
  keepFiringForMs: 0,
  repeatMs: 4 * 3_600_000,
  severity: 'warning',
  sendResolved: true,
} as const;

/** Raw counters are cumulative since boot; a limit on them means nothing, rules take their rates. */
export const RULE_METRICS: readonly string[] = METRICS.filter((info) => info.kind !== 'counter').map((info) => info.name);

/** Rules in config order. A rule missing its name, metric, op or value is left out (already reported). */
export function resolveAlerts(element: XmlElement | undefined, problems: string[]): AlertRule[] {
  const rules: AlertRule[] = [];
  for (const child of element?.children.filter((c) => c.name === 'alert') ?? []) {
    const attrs = readAttributes(child, ALERT_ATTRS, problems);
    const where = describeElement(child);
    if (attrs.metric !== undefined) checkMetric(where, attrs.metric, attrs.labels, child.attributes.labels ?? '', problems);
    if (attrs.clear !== undefined && attrs.op !== undefined && attrs.value !== undefined) {
      const wrong = clearProblem(attrs.op, attrs.value, attrs.clear);
      if (wrong) problems.push(`${where} clear="${child.attributes.clear ?? ''}": ${wrong}`);
    }
    if (attrs.name === undefined || attrs.metric === undefined || attrs.op === undefined || attrs.value === undefined) continue;
    rules.push({
      name: attrs.name,
      metric: attrs.metric,
      labels: attrs.labels ?? {},
      op: attrs.op,
      value: attrs.value,
      windowMs: attrs.window ?? ALERT_DEFAULTS.windowMs,
      forMs: attrs.for ?? ALERT_DEFAULTS.forMs,
      keepFiringForMs: attrs.keepFiringFor ?? ALERT_DEFAULTS.keepFiringForMs,
      clear: attrs.clear,
      repeatMs: attrs.repeat ?? ALERT_DEFAULTS.repeatMs,
      severity: attrs.severity ?? ALERT_DEFAULTS.severity,
      sendResolved: attrs.sendResolved ?? ALERT_DEFAULTS.sendResolved,
      hosts: attrs.hosts ?? [],
      groups: attrs.groups ?? [],
      to: attrs.to,
    });
  }
  return rules;
}

function checkMetric(
  where: string,
  metric: string,
  labels: Readonly<Record<string, string>> | undefined,
  rawLabels: string,
  problems: string[],
): void {
  const info = metricInfo(metric);
  if (!info) {
    problems.push(`${where} metric="${metric}": unknown metric (known: ${RULE_METRICS.join(', ')}${didYouMean(metric, RULE_METRICS)})`);
    return;
  }
  if (info.kind === 'counter') {
    problems.push(`${where} metric="${metric}": a raw counter since boot, not usable in a rule (use its rate or percentage, e.g. cpu_percent, net_rx_bytes_per_sec)`);
    return;
  }
  for (const label of Object.keys(labels ?? {})) {
    if (info.labels.includes(label)) continue;
    const allowed = info.labels.length === 0
      ? `${metric} has no labels`
      : `allowed for ${metric}: ${info.labels.join(', ')}${didYouMean(label, info.labels)}`;
    problems.push(`${where} labels="${rawLabels}": unknown label "${label}" (${allowed})`);
  }
}

/** Hysteresis only makes sense on the side where the rule is not firing; == and != have no side. */
export function clearProblem(op: CompareOp, value: number, clear: number): string | undefined {
  switch (op) {
    case '>':
    case '>=':
      return clear <= value ? undefined : `must be at most value="${value}" for op="${op}" (the rule resolves once the value drops below clear)`;
    case '<':
    case '<=':
      return clear >= value ? undefined : `must be at least value="${value}" for op="${op}" (the rule resolves once the value rises above clear)`;
    case '==':
    case '!=':
      return `not allowed with op="${op}" (clear needs a direction: use >, >=, < or <=)`;
  }
}
