import type { Db } from './database.js';

/** Host and series ids, created on first sight and cached for the life of the connection. */
export class SeriesIds {
  private readonly hosts = new Map<string, number>();
  private readonly series = new Map<string, number>();
  private readonly insertHost;
  private readonly selectHost;
  private readonly insertSeries;
  private readonly selectSeries;

  constructor(db: Db) {
    this.insertHost = db.prepare('INSERT INTO hosts (name) VALUES (?) ON CONFLICT DO NOTHING');
    this.selectHost = db.prepare<[string], { id: number }>('SELECT id FROM hosts WHERE name = ?');
    this.insertSeries = db.prepare('INSERT INTO series (host_id, metric, labels) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    this.selectSeries = db.prepare<[number, string, string], { id: number }>('SELECT id FROM series WHERE host_id = ? AND metric = ? AND labels = ?');
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
  }

  seriesOf(hostId: number, metric: string, labels: string): number {
    const key = `${hostId}\u0000${metric}\u0000${labels}`;
    const cached = this.series.get(key);
    if (cached !== undefined) return cached;
    this.insertSeries.run(hostId, metric, labels);
    const id = this.selectSeries.get(hostId, metric, labels)!.id;
    this.series.set(key, id);
    return id;
  }
}
