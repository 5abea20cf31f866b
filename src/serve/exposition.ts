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

/** A family's lines of one host (each ending in a newline, UTF-8), with what its # HELP and # TYPE say. */
interface HostFamily {
  readonly help: string;
  readonly type: string;
  readonly bytes: Buffer;
}

/**
 * One host's part of the exposition, by family: made once per poll of the host (metrics-page.ts
 * keeps it until the host's latest poll changes) and joined with the other hosts' by `assemble`.
 */
export interface HostBlock {
  readonly families: ReadonlyMap<string, HostFamily>;
  /** Its metrix_host_group_info lines. */
  readonly groupInfo: Buffer | undefined;
}

const GROUP_INFO = 'metrix_host_group_info';
const GROUP_INFO_HELP = 'one series per host and group it is in (value 1), for joins by group';

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

const HOST_ONLY = ['host'];
const HOST_AND_GROUP = ['host', 'group'];

/**
 * Writes the exposition in two steps, each host's block then the whole, remembering what
 * repeats from one scrape to the next: sanitized names, families, and the label text of a
 * label set (the store hands out one object per series, so it is known by identity).
 */
export class Exposer {
  private readonly exposed = memo(exposedName);
  private readonly scale = memo(exposedScale);
  private readonly label = memo(labelName);
  private readonly family = memo((metric: string) => familyOf(metric, this.exposed(metric)));
  /**
   * A series' name and labels as written (`name{host="…",…}`), by its label set: the store
   * hands out one label object per series, so the object names the series; kept with the
   * host's label text it was made with (a host's groups are the config's, fixed).
   */
  /** Each host's label text (`host="…",group="…"`): one string, so the series texts made with it can tell it by identity. */
  private readonly bases = new Map<string, { readonly groups: readonly string[]; readonly text: string }>();
  private readonly seriesTexts = new WeakMap<object, { readonly base: string; readonly metric: string; readonly text: string }>();

  private seriesText(metric: string, labels: Readonly<Record<string, string>> | undefined, base: string, grouped: boolean): string {
    const known = labels && this.seriesTexts.get(labels);
    if (known && known.base === base && known.metric === metric) return known.text;
    const text = `${this.exposed(metric)}{${base}${sampleLabels(labels, grouped ? HOST_AND_GROUP : HOST_ONLY, this.label)}}`;
    if (labels) this.seriesTexts.set(labels, { base, metric, text });
    return text;
  }

  /** One host's block. Two metrics that sanitize to one name and labels keep the first. */
  hostBlock(host: HostLatest): HostBlock {
    const grouped = host.groups.length > 0;
    const hostLabel = `host="${labelValue(host.host)}"`;
    let base = this.bases.get(host.host);
    if (base === undefined || base.groups !== host.groups) {
      base = { groups: host.groups, text: grouped ? `${hostLabel},group="${labelValue(host.groups.join(','))}"` : hostLabel };
      this.bases.set(host.host, base);
    }
    const lines = new Map<string, { readonly metric: string; text: string }>();
    const seen = new Set<string>();
    let lastTs = NaN;
    let tsText = '';
    for (const sample of host.samples) {
      const name = this.exposed(sample.m);
      const series = this.seriesText(sample.m, sample.l, base.text, grouped);
      if (seen.has(series)) continue;
      seen.add(series);
      // A host's samples share one or two times: each written once.
      if (sample.ts !== lastTs) {
        lastTs = sample.ts;
        tsText = ` ${Math.round(sample.ts)}\n`;
      }
      const line = `${series} ${sampleValue(sample.v * this.scale(sample.m))}${tsText}`;
      const found = lines.get(name);
      if (found) found.text += line;
      else lines.set(name, { metric: sample.m, text: line });
    }
    // As bytes now: the page is these end to end (one copy), not a 3 MB string to build and encode.
    const families = new Map<string, HostFamily>();
    for (const [name, { metric, text }] of lines) families.set(name, { ...this.family(metric), bytes: Buffer.from(text, 'utf8') });
    let groupInfo = '';
    for (const group of new Set(host.groups)) groupInfo += `${GROUP_INFO}{${hostLabel},group="${labelValue(group)}"} 1\n`;
    return { families, groupInfo: groupInfo === '' ? undefined : Buffer.from(groupInfo, 'utf8') };
  }

  /** The whole exposition, UTF-8: the hosts' blocks (one family per metric, its hosts together), then `own` figures. */
  assemble(blocks: readonly HostBlock[], own: readonly OwnFigure[]): Buffer {
    const families = new Map<string, { help: string; type: string; parts: Buffer[] }>();
    const info = { help: GROUP_INFO_HELP, type: 'gauge', parts: [] as Buffer[] };
    families.set(GROUP_INFO, info);
    for (const block of blocks) {
      if (block.groupInfo) info.parts.push(block.groupInfo);
      for (const [name, f] of block.families) {
        const found = families.get(name);
        if (found) found.parts.push(f.bytes);
        else families.set(name, { help: f.help, type: f.type, parts: [f.bytes] });
      }
    }
    // metrix's own: never with a host label, so never the same series as a host's.
    const seen = new Set<string>();
    for (const figure of own) {
      let f = families.get(figure.name);
      if (!f) families.set(figure.name, (f = { help: figure.help, type: figure.type, parts: [] }));
      for (const series of figure.series) {
        const labels = sampleLabels(series.labels, [], this.label).slice(1);
        const text = `${figure.name}${labels === '' ? '' : `{${labels}}`}`;
        if (seen.has(text)) continue;
        seen.add(text);
        f.parts.push(Buffer.from(`${text} ${sampleValue(series.value)}\n`, 'utf8'));
      }
    }
    const out: Buffer[] = [];
    for (const [name, f] of families) {
      if (f.parts.length === 0) continue;
      out.push(Buffer.from(`# HELP ${name} ${helpText(f.help)}\n# TYPE ${name} ${f.type}\n`, 'utf8'));
      for (const part of f.parts) out.push(part);
    }
    return Buffer.concat(out);
  }
}

/** The whole exposition at once (see Exposer). */
export function exposition(hosts: readonly HostLatest[], own: readonly OwnFigure[]): string {
  const exposer = new Exposer();
  return exposer
    .assemble(
      hosts.map((host) => exposer.hostBlock(host)),
      own,
    )
    .toString('utf8');
}
