import { addStats, addValue, bucketStart, finish, newStats, type Stats, type StatsBuilder } from '../retention/rollup.js';
import { CHUNK_MS, TIERS, type RollupTier } from '../retention/tiers.js';
import { decodeValues } from './codec.js';
import { chunkSize, decodeChunk, decodeColumns, encodeChunk, type ChunkBucket } from './chunk-codec.js';
import type { Db, Statement } from './database.js';
import type { Layouts } from './layouts.js';
import { MAX_COUNTER_LAG_MS } from './sample-rows.js';

export interface Bucket {
  readonly ts: number;
  readonly stats: Stats;
}

const TABLE: Readonly<Record<RollupTier, string>> = { '5m': 'rollups_5m', '1h': 'rollups_1h' };

/** Buckets being built: series id -> bucket start -> stats. */
type Building = Map<number, Map<number, StatsBuilder>>;

/**
 * Roll-up rows: one per series per chunk of time (CHUNK_MS), found by (host, series, chunk
 * start), the chunk's buckets packed column by column (chunk-codec.ts). A query of one
 * series over a month reads 60 rows, not the 8,640 buckets of every series of the host. Built
 * from raw sample rows (5-minute) or from 5-minute chunks (hourly) by retention, read by queries.
 */
export class Rollups {
  private readonly upsert: Readonly<Record<RollupTier, Statement<[number, number, number, Buffer]>>>;
  private readonly selectChunk: Readonly<Record<RollupTier, Statement<[number, number, number], { vals: Buffer }>>>;
  private readonly selectRange: Readonly<Record<RollupTier, Statement<[number, number, number, number], [number, Buffer]>>>;
  private readonly selectFirst: Readonly<Record<RollupTier, Statement<[number, number, number], { chunk: number }>>>;
  private readonly remove: Readonly<Record<RollupTier, Statement<[number, number, number], { vals: Buffer }>>>;
  private readonly selectRaw;
  private readonly selectSeries;

  constructor(
    db: Db,
    private readonly layouts: Layouts,
  ) {
    const each = <T>(make: (table: string) => T): Record<RollupTier, T> => ({ '5m': make(TABLE['5m']), '1h': make(TABLE['1h']) });
    this.upsert = each((table) => db.prepare<[number, number, number, Buffer]>(`INSERT OR REPLACE INTO ${table} (host_id, series_id, chunk, vals) VALUES (?, ?, ?, ?)`));
    this.selectChunk = each((table) => db.prepare<[number, number, number], { vals: Buffer }>(`SELECT vals FROM ${table} WHERE host_id = ? AND series_id = ? AND chunk = ?`));
    this.selectRange = each((table) =>
      db.prepare<[number, number, number, number], [number, Buffer]>(`SELECT chunk, vals FROM ${table} WHERE host_id = ? AND series_id = ? AND chunk >= ? AND chunk < ? ORDER BY chunk`).raw(true),
    );
    this.selectFirst = each((table) =>
      db.prepare<[number, number, number], { chunk: number }>(`SELECT chunk FROM ${table} WHERE host_id = ? AND series_id = ? AND chunk >= ? ORDER BY chunk LIMIT 1`),
    );
    this.remove = each((table) => db.prepare<[number, number, number], { vals: Buffer }>(`DELETE FROM ${table} WHERE host_id = ? AND series_id = ? AND chunk < ? RETURNING vals`));
    this.selectRaw = db
      .prepare<[number, number, number], [number, number, number, Buffer]>('SELECT ts, counters_lag, layout_id, vals FROM sample_rows WHERE host_id = ? AND ts >= ? AND ts < ? ORDER BY ts')
      .raw(true);
    this.selectSeries = db.prepare<[number], { id: number }>('SELECT id FROM series WHERE host_id = ? ORDER BY id');
  }

  /**
   * Builds the 5-minute buckets of [from, to) from raw samples (a sample counts at its own
   * time: a counter at its row's time less the lag, so rows up to the lag past `to` are read).
   * Returns how many buckets (of one series each) were written.
   */
  buildFromRaw(hostId: number, from: number, to: number): number {
    const bucketMs = TIERS['5m'].bucketMs;
    const building: Building = new Map();
    for (const [ts, lag, layoutId, vals] of this.selectRaw.all(hostId, from, to + MAX_COUNTER_LAG_MS)) {
      const layout = this.layouts.get(layoutId);
      const values = decodeValues(vals);
      for (let k = 0; k < values.length; k++) {
        const t = k >= layout.countersFrom ? ts - lag : ts;
        if (t < from || t >= to) continue;
        addValue(statsOf(building, layout.series[k]!, bucketStart(t, bucketMs)), values[k]!);
      }
    }
    return this.store('5m', hostId, building);
  }

  /** Builds the hourly buckets of [from, to) from the 5-minute ones. Returns how many were written. */
  buildHourly(hostId: number, from: number, to: number): number {
    const building: Building = new Map();
    for (const { id } of this.selectSeries.all(hostId)) {
      for (const bucket of this.read('5m', hostId, id, from, to)) addStats(statsOf(building, id, bucketStart(bucket.ts, TIERS['1h'].bucketMs)), bucket.stats);
    }
    return this.store('1h', hostId, building);
  }

  private store(tier: RollupTier, hostId: number, building: Building): number {
    let written = 0;
    for (const [series, buckets] of building) {
      this.write(tier, hostId, series, [...buckets].map(([ts, stats]) => ({ ts, stats: finish(stats) })));
      written += buckets.size;
    }
    return written;
  }

  /** Writes buckets of one series, merged into the chunks already there (a bucket given again replaces the old one). */
  write(tier: RollupTier, hostId: number, series: number, buckets: readonly Bucket[]): void {
    const { bucketMs } = TIERS[tier];
    const byChunk = new Map<number, Map<number, ChunkBucket>>();
    for (const { ts, stats } of buckets) {
      const chunk = bucketStart(ts, CHUNK_MS[tier]);
      let found = byChunk.get(chunk);
      if (!found) {
        found = new Map((this.chunk(tier, hostId, series, chunk) ?? []).map((b) => [b.index, b]));
        byChunk.set(chunk, found);
      }
      const index = (ts - chunk) / bucketMs;
      found.set(index, { index, min: stats.min, max: stats.max, sum: stats.sum, count: stats.count });
    }
    for (const [chunk, found] of byChunk) {
      this.upsert[tier].run(hostId, series, chunk, encodeChunk([...found.values()].sort((a, b) => a.index - b.index)));
    }
  }

  private chunk(tier: RollupTier, hostId: number, series: number, chunk: number): ChunkBucket[] | undefined {
    const row = this.selectChunk[tier].get(hostId, series, chunk);
    return row && decodeChunk(row.vals);
  }

  /** One series' buckets starting in [from, to), oldest first. */
  read(tier: RollupTier, hostId: number, series: number, from: number, to: number): Bucket[] {
    const { bucketMs } = TIERS[tier];
    const found: Bucket[] = [];
    for (const [chunk, vals] of this.selectRange[tier].all(hostId, series, bucketStart(from, CHUNK_MS[tier]), to)) {
      const { index, min, max, sum, count } = decodeColumns(vals);
      for (let i = 0; i < index.length; i++) {
        const ts = chunk + index[i]! * bucketMs;
        if (ts >= from && ts < to) found.push({ ts, stats: { min: min[i]!, max: max[i]!, sum: sum[i]!, count: count[i]! } });
      }
    }
    return found;
  }

  /** The start of the host's first chunk at or after `from`, over all its series; undefined when none. */
  firstChunk(tier: RollupTier, hostId: number, from: number): number | undefined {
    let first: number | undefined;
    for (const { id } of this.selectSeries.all(hostId)) {
      const chunk = this.selectFirst[tier].get(hostId, id, from)?.chunk;
      if (chunk !== undefined && (first === undefined || chunk < first)) first = chunk;
    }
    return first;
  }

  /** Removes the host's chunks that start before `before` (a chunk boundary); returns the buckets they held. */
  removeBefore(tier: RollupTier, hostId: number, before: number): number {
    let removed = 0;
    for (const { id } of this.selectSeries.all(hostId)) {
      for (const row of this.remove[tier].all(hostId, id, before)) removed += chunkSize(row.vals);
    }
    return removed;
  }
}

function statsOf(building: Building, series: number, ts: number): StatsBuilder {
  let buckets = building.get(series);
  if (!buckets) building.set(series, (buckets = new Map()));
  let stats = buckets.get(ts);
  if (!stats) buckets.set(ts, (stats = newStats()));
  return stats;
}
