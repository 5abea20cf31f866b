import type { Sample } from '../../client-script/src/protocol.js';
import { metricInfo } from '../metrics/catalog.js';
import { canonicalLabels, type Labels } from '../metrics/labels.js';
import type { Db } from './database.js';

export interface SeriesInfo {
  readonly metric: string;
  readonly labels: Labels;
  /** A counter is stored at the time the host read it (the row's lag), see layouts.ts. */
  readonly counter: boolean;
}

/**
 * A cache key for a label set without sorting or JSON in the common cases (none, or one
 * label); two spellings of one set may get two keys, which only costs a cache entry.
 */
function labelKey(labels: Labels | undefined): string {
  if (!labels) return '';
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  if (keys.length === 1) return `${keys[0]!}\u0001${labels[keys[0]!]!}`;
  return keys
    .sort()
    .map((key) => `${key}\u0001${labels[key]!}`)
    .join('\u0002');
}

function sameSeries(a: readonly Sample[], b: readonly Sample[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.m !== b[i]!.m || !sameLabels(a[i]!.l, b[i]!.l)) return false;
  }
  return true;
}

function sameLabels(a: Labels | undefined, b: Labels | undefined): boolean {
  if (a === b) return true;
  let keys = 0;
  for (const key in a) {
    if (a[key] !== b?.[key]) return false;
    keys++;
  }
  for (const _ in b) keys--;
  return keys === 0;
}

/** Metrics × hosts whose series lists ofMetric keeps (1,000 hosts, a few metrics each asked for). */
const MAX_OF_METRIC = 10_000;

/** Host and series ids, created on first sight and cached for the life of the connection. */
export class SeriesIds {
  private readonly hosts = new Map<string, number>();
  /** Per host: metric + label key -> series id. */
  private readonly series = new Map<number, Map<string, number>>();
  private readonly infos = new Map<number, SeriesInfo>();
  /** Per host: its last poll's samples and their series ids (see seriesOfPoll). */
  private readonly lastPoll = new Map<number, { samples: readonly Sample[]; ids: readonly number[] }>();
  private readonly insertHost;
  private readonly selectHost;
  private readonly insertSeries;
  private readonly selectSeries;
  private readonly selectHostInfos;
  private readonly selectOfMetric;
  private readonly selectNewestId;
  /** ofMetric's answers while the series table is unchanged (`ofMetricAt`, its largest id). */
  private readonly ofMetricCache = new Map<string, ReadonlyArray<{ readonly id: number; readonly labels: Labels }>>();
  private ofMetricAt = -1;

  constructor(db: Db) {
    this.insertHost = db.prepare('INSERT INTO hosts (name) VALUES (?) ON CONFLICT DO NOTHING');
    this.selectHost = db.prepare<[string], { id: number }>('SELECT id FROM hosts WHERE name = ?');
    this.insertSeries = db.prepare('INSERT INTO series (host_id, metric, labels) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    this.selectSeries = db.prepare<[number, string, string], { id: number }>('SELECT id FROM series WHERE host_id = ? AND metric = ? AND labels = ?');
    this.selectHostInfos = db.prepare<[number], { id: number; metric: string; labels: string }>(
      'SELECT id, metric, labels FROM series WHERE host_id = (SELECT host_id FROM series WHERE id = ?)',
    );
    this.selectOfMetric = db.prepare<[number, string], { id: number; labels: string }>('SELECT id, labels FROM series WHERE host_id = ? AND metric = ? ORDER BY labels');
    this.selectNewestId = db.prepare<[], number | null>('SELECT max(id) FROM series').pluck();
  }

  /** The host's id, or undefined when nothing was ever stored for it (read paths). */
  findHost(name: string): number | undefined {
    const cached = this.hosts.get(name);
    if (cached !== undefined) return cached;
    // A host's id never changes once made (hosts are never deleted): kept, as `host` does.
    const id = this.selectHost.get(name)?.id;
    if (id !== undefined) this.hosts.set(name, id);
    return id;
  }

  host(name: string): number {
    const known = this.findHost(name);
    if (known !== undefined) return known;
    this.insertHost.run(name);
    const id = this.selectHost.get(name)!.id;
    this.hosts.set(name, id);
    return id;
  }

  /** Drops the cache: ids made in a transaction that rolled back no longer exist. */
  forget(): void {
    this.hosts.clear();
    this.series.clear();
    this.infos.clear();
    this.lastPoll.clear();
    this.ofMetricCache.clear();
    this.ofMetricAt = -1;
  }

  seriesOf(hostId: number, metric: string, labels: Labels | undefined): number {
    let ofHost = this.series.get(hostId);
    if (!ofHost) this.series.set(hostId, (ofHost = new Map()));
    const key = `${metric}\u0000${labelKey(labels)}`;
    const cached = ofHost.get(key);
    if (cached !== undefined) return cached;
    const canonical = canonicalLabels(labels);
    this.insertSeries.run(hostId, metric, canonical);
    const id = this.selectSeries.get(hostId, metric, canonical)!.id;
    ofHost.set(key, id);
    return id;
  }

  /**
   * The series ids of a poll's samples. A host reports the same series in the same order poll
   * after poll, so its last poll's list is kept and compared name by name, which costs less
   * than looking each sample up.
   */
  seriesOfPoll(hostId: number, samples: readonly Sample[]): readonly number[] {
    const last = this.lastPoll.get(hostId);
    if (last && sameSeries(last.samples, samples)) return last.ids;
    const ids = samples.map((sample) => this.seriesOf(hostId, sample.m, sample.l));
    this.lastPoll.set(hostId, { samples, ids });
    return ids;
  }

  /** The metric and labels of a series id (cached: a series never changes). */
  info(id: number): SeriesInfo {
    const cached = this.infos.get(id);
    if (cached) return cached;
    // The rest of its host's series are wanted next (a row holds them all): read together.
    for (const row of this.selectHostInfos.all(id)) {
      if (!this.infos.has(row.id)) this.infos.set(row.id, { metric: row.metric, labels: JSON.parse(row.labels) as Labels, counter: metricInfo(row.metric)?.kind === 'counter' });
    }
    const info = this.infos.get(id);
    if (!info) throw new Error(`series ${id} does not exist`);
    return info;
  }

  /**
   * The host's series of one metric, ordered by their labels' text. Kept until a series is
   * added by any connection: series are never deleted and ids only grow, so the largest id
   * (one seek) tells, and costs a fraction of the lookup and its JSON. A rolled-back
   * transaction's ids are dropped by `forget`.
   */
  ofMetric(hostId: number, metric: string): ReadonlyArray<{ readonly id: number; readonly labels: Labels }> {
    const newest = this.selectNewestId.get() ?? 0;
    if (newest !== this.ofMetricAt) {
      this.ofMetricCache.clear();
      this.ofMetricAt = newest;
    }
    const key = `${hostId}\u0000${metric}`;
    let found = this.ofMetricCache.get(key);
    if (found === undefined) {
      found = this.selectOfMetric.all(hostId, metric).map((row) => ({ id: row.id, labels: JSON.parse(row.labels) as Labels }));
      if (this.ofMetricCache.size >= MAX_OF_METRIC) this.ofMetricCache.clear();
      this.ofMetricCache.set(key, found);
    }
    return found;
  }
}
