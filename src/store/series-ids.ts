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
  private readonly selectInfo;
  private readonly selectOfMetric;

  constructor(db: Db) {
    this.insertHost = db.prepare('INSERT INTO hosts (name) VALUES (?) ON CONFLICT DO NOTHING');
    this.selectHost = db.prepare<[string], { id: number }>('SELECT id FROM hosts WHERE name = ?');
    this.insertSeries = db.prepare('INSERT INTO series (host_id, metric, labels) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    this.selectSeries = db.prepare<[number, string, string], { id: number }>('SELECT id FROM series WHERE host_id = ? AND metric = ? AND labels = ?');
    this.selectInfo = db.prepare<[number], { metric: string; labels: string }>('SELECT metric, labels FROM series WHERE id = ?');
    this.selectOfMetric = db.prepare<[number, string], { id: number; labels: string }>('SELECT id, labels FROM series WHERE host_id = ? AND metric = ? ORDER BY labels');
  }

  /** The host's id, or undefined when nothing was ever stored for it (read paths). */
  findHost(name: string): number | undefined {
    return this.hosts.get(name) ?? this.selectHost.get(name)?.id;
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
    const row = this.selectInfo.get(id);
    if (!row) throw new Error(`series ${id} does not exist`);
    const info: SeriesInfo = { metric: row.metric, labels: JSON.parse(row.labels) as Labels, counter: metricInfo(row.metric)?.kind === 'counter' };
    this.infos.set(id, info);
    return info;
  }

  /** The host's series of one metric, ordered by their labels' text. */
  ofMetric(hostId: number, metric: string): Array<{ id: number; labels: Labels }> {
    return this.selectOfMetric.all(hostId, metric).map((row) => ({ id: row.id, labels: JSON.parse(row.labels) as Labels }));
  }
}
