import type { Db } from './database.js';

/**
 * A layout is the ordered list of series one row holds values for: a host's gauges by series
 * id, then its counters by series id. Consecutive polls of a host nearly always share one, so
 * a row stores a small layout id instead of its series. Counters come last so a row can say
 * "the counters were read `lag` ms earlier" for its tail alone.
 */
export interface Layout {
  readonly id: number;
  readonly series: readonly number[];
  /** Position of the first counter; `series.length` when the row holds none. */
  readonly countersFrom: number;
  /** Series id -> position. */
  readonly positions: ReadonlyMap<number, number>;
}

/** Layout ids, created on first sight, cached for the life of the connection (they never change). */
export class Layouts {
  private readonly byId = new Map<number, Layout>();
  private readonly byKey = new Map<string, number>();
  private readonly insert;
  private readonly selectByKey;
  private readonly selectById;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT INTO layouts (host_id, series, counters) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    this.selectByKey = db.prepare<[number, Buffer], { id: number }>('SELECT id FROM layouts WHERE host_id = ? AND series = ?');
    this.selectById = db.prepare<[number], { series: Buffer; counters: number }>('SELECT series, counters FROM layouts WHERE id = ?');
  }

  /** The id of the layout of these gauges then these counters (each ascending), made if new. */
  idOf(hostId: number, gauges: readonly number[], counters: readonly number[]): number {
    const key = `${hostId}:${gauges.join(',')}|${counters.join(',')}`;
    const cached = this.byKey.get(key);
    if (cached !== undefined) return cached;
    const blob = packIds([...gauges, ...counters]);
    this.insert.run(hostId, blob, counters.length);
    const id = this.selectByKey.get(hostId, blob)!.id;
    this.byKey.set(key, id);
    return id;
  }

  get(id: number): Layout {
    const cached = this.byId.get(id);
    if (cached) return cached;
    const row = this.selectById.get(id);
    if (!row) throw new Error(`sample row names layout ${id}, which does not exist`);
    const series = unpackIds(row.series);
    const layout: Layout = { id, series, countersFrom: series.length - row.counters, positions: new Map(series.map((s, i) => [s, i])) };
    this.byId.set(id, layout);
    return layout;
  }

  /** Drops ids learnt in a transaction that rolled back (their rows are gone). */
  forget(): void {
    this.byKey.clear();
    this.byId.clear();
  }
}

function packIds(ids: readonly number[]): Buffer {
  const blob = Buffer.allocUnsafe(4 * ids.length);
  ids.forEach((id, i) => blob.writeUInt32LE(id, 4 * i));
  return blob;
}

function unpackIds(blob: Buffer): number[] {
  const ids: number[] = [];
  for (let i = 0; i < blob.length; i += 4) ids.push(blob.readUInt32LE(i));
  return ids;
}
