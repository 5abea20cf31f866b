import type { Sample } from '../../client-script/src/protocol.js';
import { metricInfo } from '../metrics/catalog.js';
import { exposedName, exposedScale, labelName, metricName } from '../metrics/prometheus-names.js';

export { exposedName, labelName, metricName };

/**
 * Prometheus text exposition (format 0.0.4) of every host's latest samples, so a Prometheus
 * can scrape metrix (`/metrics`). Everything here comes from hosts and is hostile: metric and
 * label names are sanitized to the format's alphabet, label values and help text escaped, so
 * no host can break a line or forge another series.
 *
 * Labels: `host`; `group`, the host's groups joined by "," (left out for a host in none);
 * then the metric's own. A metric label named `host` or `group` (or anything clashing once
 * sanitized) is renamed `exported_<name>`, as Prometheus does with its own clashes. For exact
 * joins per group, `metrix_host_group_info{host,group} 1` has one series per host and group.
 */

export interface HostLatest {
  readonly host: string;
  readonly groups: readonly string[];
  /** Each with the time it was taken (ms), written as the sample's timestamp. */
  readonly samples: ReadonlyArray<Sample & { readonly ts: number }>;
}

/** A figure of metrix itself. */
export interface OwnFigure {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter' | 'untyped';
  readonly series: ReadonlyArray<{ readonly labels: Readonly<Record<string, string>>; readonly value: number }>;
}

const NEEDS_ESCAPE = /[\\\n"]/;
export const labelValue = (value: string): string => (NEEDS_ESCAPE.test(value) ? value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : value);
const helpText = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

export function sampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * The # TYPE of a metric: a name ending in `_total` is a counter (the format reserves the
 * suffix for counters, and metrix's cumulative figures use it), another counter is left
 * untyped (a counter name must end in _total), a known metric is a gauge, the rest untyped.
 */
export function promType(metric: string, exposed: string): 'counter' | 'gauge' | 'untyped' {
  const info = metricInfo(metric);
  if (exposed.endsWith('_total')) return 'counter';
  return info?.kind === 'counter' || !info ? 'untyped' : 'gauge';
}

function familyOf(metric: string, exposed: string): { help: string; type: string } {
  const help = metricInfo(metric)?.help ?? `${metric}, as collected by metrix`;
  return { help: exposedScale(metric) === 1 ? help : `${help} (here in seconds)`, type: promType(metric, exposed) };
}

interface Family {
  readonly help: string;
  readonly type: string;
  readonly lines: string[];
  /** Label texts written, so two names that sanitize alike never repeat a series (the first wins). */
  readonly seen: Set<string>;
}

/** Names are few and repeat for every host: sanitized once. */
function memo<T>(f: (name: string) => T): (name: string) => T {
  const cache = new Map<string, T>();
  return (name) => {
    let found = cache.get(name);
    if (found === undefined) cache.set(name, (found = f(name)));
    return found;
  };
}

/** The labels of one sample after the host's: sorted, sanitized, renamed `exported_…` where they clash. */
function sampleLabels(labels: Readonly<Record<string, string>> | undefined, taken: readonly string[], label: (name: string) => string): string {
  if (!labels) return '';
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  keys.sort();
  let text = '';
  const used: string[] = [...taken];
  for (const key of keys) {
    let exposed = label(key);
    while (used.includes(exposed)) exposed = `exported_${exposed}`;
    used.push(exposed);
    text += `,${exposed}="${labelValue(labels[key]!)}"`;
  }
  return text;
}

/** The whole exposition: hosts' metrics (one family per metric, its hosts together), then `own` figures. */
export function exposition(hosts: readonly HostLatest[], own: readonly OwnFigure[]): string {
  const families = new Map<string, Family>();
  const family = (name: string, make: () => { help: string; type: string }): Family => {
    let found = families.get(name);
    if (!found) families.set(name, (found = { ...make(), lines: [], seen: new Set() }));
    return found;
  };
  const add = (f: Family, name: string, labels: string, value: number, ts?: number): void => {
    if (f.seen.has(labels)) return;
    f.seen.add(labels);
    f.lines.push(`${name}${labels === '' ? '' : `{${labels}}`} ${sampleValue(value)}${ts === undefined ? '' : ` ${Math.round(ts)}`}`);
  };
  const exposed = memo(exposedName);
  const scale = memo(exposedScale);
  const label = memo(labelName);
  const info = family('metrix_host_group_info', () => ({ help: 'one series per host and group it is in (value 1), for joins by group', type: 'gauge' }));
  for (const host of hosts) {
    const hostLabel = `host="${labelValue(host.host)}"`;
    const base = host.groups.length > 0 ? `${hostLabel},group="${labelValue(host.groups.join(','))}"` : hostLabel;
    const taken = host.groups.length > 0 ? ['host', 'group'] : ['host'];
    for (const sample of host.samples) {
      const name = exposed(sample.m);
      add(family(name, () => familyOf(sample.m, name)), name, base + sampleLabels(sample.l, taken, label), sample.v * scale(sample.m), sample.ts);
    }
    for (const group of host.groups) add(info, 'metrix_host_group_info', `${hostLabel},group="${labelValue(group)}"`, 1);
  }
  for (const figure of own) {
    const f = family(figure.name, () => ({ help: figure.help, type: figure.type }));
    for (const series of figure.series) add(f, figure.name, sampleLabels(series.labels, [], label).slice(1), series.value);
  }
  let out = '';
  for (const [name, f] of families) {
    if (f.lines.length === 0) continue;
    out += `# HELP ${name} ${helpText(f.help)}\n# TYPE ${name} ${f.type}\n${f.lines.join('\n')}\n`;
  }
  return out;
}
