import type { Labels } from '../metrics/labels.js';
import type { QueuedRow, QueuedSample } from '../store/remote-write-queue.js';
import { encodeLabels, encodeWriteRequest, type WireSeries } from './protobuf.js';
import { snappyCompress } from './snappy.js';
import { exposedName, exposedScale } from '../metrics/prometheus-names.js';

/** Queued rows sent in one request; every row's values are still stored. */
export interface Batch {
  readonly rows: readonly StoredRow[];
  readonly samples: number;
}

export type StoredRow = QueuedRow & { readonly samples: readonly QueuedSample[] };

/**
 * Cuts rows (oldest first) into requests, in order: at most `maxSamples` samples each (a row
 * bigger than that goes alone), and never two samples of one series in one request. So a
 * request sent again after its answer was lost repeats each series' newest sample exactly,
 * which Prometheus accepts and ignores, where an older one would be refused as out of order
 * and the request with it.
 */
export function cutBatches(rows: readonly StoredRow[], maxSamples: number): Batch[] {
  const batches: Batch[] = [];
  let current: StoredRow[] = [];
  let samples = 0;
  let series = new Set<number>();
  for (const row of rows) {
    const clash = row.samples.some((sample) => series.has(sample.series));
    if (current.length > 0 && (clash || samples + row.samples.length > maxSamples)) {
      batches.push({ rows: current, samples });
      current = [];
      samples = 0;
      series = new Set();
    }
    current.push(row);
    samples += row.samples.length;
    for (const sample of row.samples) series.add(sample.series);
  }
  if (current.length > 0) batches.push({ rows: current, samples });
  return batches;
}

/** The groups of each host, by host name (hosts in none, and metrix's own "(metrix)", absent). */
export type HostGroups = ReadonlyMap<string, readonly string[]>;

/** Series whose encoded labels one generation of WireEncoder's cache holds (two generations are kept). */
export const MAX_CACHED_LABELS = 50_000;

/**
 * Turns batches into request bodies: protobuf, then snappy. A series' labels are encoded once
 * (per encoder) and reused. Names and labels are those `metrix serve`'s /metrics gives the same
 * series (src/serve/exposition.ts), so one dashboard reads either: see seriesLabels.
 * The cache lives as long as `metrix run`, and series come and go (perfdata labels, mounts,
 * hosts), so it is held in two generations of at most `limit` series: when the newer is full it
 * becomes the older and the older is dropped; a series still sent is moved up when looked up.
 * So memory stays under 2 x limit entries and a fleet's steady series are encoded once.
 */
export class WireEncoder {
  private labels = new Map<number, Buffer>();
  private older = new Map<number, Buffer>();

  constructor(
    private readonly extra: Labels,
    private readonly groups: HostGroups,
    private readonly limit = MAX_CACHED_LABELS,
  ) {}

  /** Series whose labels are held encoded now. */
  get cached(): number {
    return this.labels.size + this.older.size;
  }

  /** The snappy-compressed WriteRequest of a batch, and its size before compression. */
  encode(batch: Batch): { body: Buffer; raw: number } {
    const series: WireSeries[] = [];
    for (const row of batch.rows) {
      for (const sample of row.samples) series.push({ labels: this.labelsOf(row.host, sample), samples: [{ value: sample.value * exposedScale(sample.metric), timestamp: sample.ts }] });
    }
    const raw = encodeWriteRequest(series);
    return { body: snappyCompress(raw), raw: raw.length };
  }

  private labelsOf(host: string, sample: QueuedSample): Buffer {
    let encoded = this.labels.get(sample.series);
    if (encoded !== undefined) return encoded;
    encoded = this.older.get(sample.series) ?? encodeLabels(seriesLabels(host, this.groups.get(host) ?? [], sample.metric, sample.labels, this.extra));
    if (this.labels.size >= this.limit) {
      this.older = this.labels;
      this.labels = new Map();
    }
    this.labels.set(sample.series, encoded);
    return encoded;
  }
}

/**
 * The label pairs of one series as sent, sorted by name (byte order: `__name__` comes before
 * any lower-case name): the name, `host`, `group` (the host's groups joined by ",", absent for
 * a host in none), the series' own labels, then the configured extra labels a series' own
 * do not already name. No empty value.
 */
export function seriesLabels(host: string, groups: readonly string[], metric: string, own: Labels, extra: Labels): Array<[string, string]> {
  const pairs: Array<[string, string]> = [['__name__', exposedName(metric)], ['host', host]];
  if (groups.length > 0) pairs.push(['group', groups.join(',')]);
  const taken = (name: string): boolean => name === 'host' || name === 'group' || name === '__name__';
  for (const name in own) if (!taken(name)) pairs.push([name, own[name]!]);
  for (const name in extra) if (!(name in own) && !taken(name)) pairs.push([name, extra[name]!]);
  return pairs.filter(([, value]) => value !== '').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
