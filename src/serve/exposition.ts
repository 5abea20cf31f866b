import type { Sample } from '../../client-script/src/protocol.js';
import { metricInfo } from '../metrics/catalog.js';

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

const NAME_OK = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_OK = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Names Prometheus' conventions (and `promtool check metrics`) reject, renamed: units spelled
 * out (`_sec` → `_seconds`, `_per_sec` → `_per_second`), `_total` kept for counters
 * (`procs_total`, a gauge, → `procs_all`).
 */
export function exposedName(metric: string): string {
  if (metric === 'procs_total') return 'procs_all';
  return metricName(metric.replace(/_per_sec$/, '_per_second').replace(/_sec$/, '_seconds'));
}

/** A metric name in the format's alphabet: other characters become `_`, a leading digit gets a `_` before it. */
export function metricName(name: string): string {
  if (NAME_OK.test(name)) return name;
  const replaced = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[a-zA-Z_:]/.test(replaced) ? replaced : `_${replaced}`;
}

/** A label name in the format's alphabet; names beginning `__` are Prometheus' own, so they get a prefix. */
export function labelName(name: string): string {
  let out = LABEL_OK.test(name) ? name : name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (!/^[a-zA-Z_]/.test(out)) out = `_${out}`;
  return out.startsWith('__') ? `label${out}` : out;
}

export const labelValue = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const helpText = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

export function sampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labelText(labels: ReadonlyArray<readonly [string, string]>): string {
  return labels.length === 0 ? '' : `{${labels.map(([name, value]) => `${name}="${labelValue(value)}"`).join(',')}}`;
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
  return { help: metricInfo(metric)?.help ?? `${metric}, as collected by metrix`, type: promType(metric, exposed) };
}

interface Family {
  readonly help: string;
  readonly type: string;
  readonly lines: string[];
  readonly seen: Set<string>;
}

/** The whole exposition: hosts' metrics (one family per metric, its hosts together), then `own` figures. */
export function exposition(hosts: readonly HostLatest[], own: readonly OwnFigure[]): string {
  const families = new Map<string, Family>();
  const family = (name: string, make: () => { help: string; type: string }): Family => {
    let found = families.get(name);
    if (!found) families.set(name, (found = { ...make(), lines: [], seen: new Set() }));
    return found;
  };
  const add = (f: Family, name: string, labels: ReadonlyArray<readonly [string, string]>, value: number, ts?: number): void => {
    const text = labelText(labels);
    if (f.seen.has(text)) return; // two names that sanitize alike: the first wins, a family never repeats a series
    f.seen.add(text);
    f.lines.push(`${name}${text} ${sampleValue(value)}${ts === undefined ? '' : ` ${Math.round(ts)}`}`);
  };
  for (const host of hosts) {
    const base: Array<[string, string]> = [['host', host.host]];
    if (host.groups.length > 0) base.push(['group', host.groups.join(',')]);
    for (const sample of host.samples) {
      const name = exposedName(sample.m);
      const taken = new Set(base.map(([label]) => label));
      const extra = Object.entries(sample.l ?? {})
        .map(([label, value]): [string, string] => [labelName(label), value])
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map(([label, value]): [string, string] => {
          let exposed = label;
          while (taken.has(exposed)) exposed = `exported_${exposed}`;
          taken.add(exposed);
          return [exposed, value];
        });
      add(family(name, () => familyOf(sample.m, name)), name, [...base, ...extra], sample.v, sample.ts);
    }
    const info = family('metrix_host_group_info', () => ({ help: 'one series per host and group it is in (value 1), for joins by group', type: 'gauge' }));
    for (const group of host.groups) add(info, 'metrix_host_group_info', [['host', host.host], ['group', group]], 1);
  }
  for (const figure of own) {
    const f = family(figure.name, () => ({ help: figure.help, type: figure.type }));
    for (const series of figure.series) add(f, figure.name, Object.entries(series.labels).map(([k, v]): [string, string] => [labelName(k), v]), series.value);
  }
  let out = '';
  for (const [name, f] of families) {
    if (f.lines.length === 0) continue;
    out += `# HELP ${name} ${helpText(f.help)}\n# TYPE ${name} ${f.type}\n${f.lines.join('\n')}\n`;
  }
  return out;
}
