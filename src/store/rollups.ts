import { addStats, addValue, bucketStart, finish, newStats, type Stats, type StatsBuilder } from '../retention/rollup.js';
import { TIERS, type RollupTier } from '../retention/tiers.js';
import { decodeValues, encodeValues, valuesAt, type Codec } from './codec.js';
import type { Db, Statement } from './database.js';
import type { Layouts } from './layouts.js';
import { MAX_COUNTER_LAG_MS } from './sample-rows.js';
import type { SeriesIds } from './series-ids.js';

export interface Bucket {
  readonly ts: number;
  readonly stats: Stats;
}

const TABLE: Readonly<Record<RollupTier, string>> = { '5m': 'rollups_5m', '1h': 'rollups_1h' };
/** Per series of a bucket's layout: min, max, sum, and n - count (0 when the series was in every poll). */
const PER_SERIES = 4;

type RawRow = [ts: number, layoutId: number, n: number, vals: Buffer];

/**
 * Roll-up rows: one per host per bucket in rollups_5m and rollups_1h, the bucket's series in
 * the order of a layout (layouts.ts), each as min, max, sum and a count (see PER_SERIES).
 * Built from raw sample rows (5-minute) or from 5-minute rows (hourly), read by queries.
 */
export class Rollups {
  private readonly write: Readonly<Record<RollupTier, Statement<[number, number, number, number, Buffer]>>>;
  private readonly select: Readonly<Record<RollupTier, Statement<[number, number, number], RawRow>>>;
  private readonly selectRaw;

  constructor(
    db: Db,
    private readonly layouts: Layouts,
    private readonly series: SeriesIds,
    private readonly codec: Codec,
  ) {
    const each = <T>(make: (table: string) => T): Record<RollupTier, T> => ({ '5m': make(TABLE['5m']), '1h': make(TABLE['1h']) });
    this.write = each((table) => db.prepare<[number, number, number, number, Buffer]>(`INSERT OR REPLACE INTO ${table} (host_id, ts, layout_id, n, vals) VALUES (?, ?, ?, ?, ?)`));
    this.select = each((table) => db.prepare<[number, number, number], RawRow>(`SELECT ts, layout_id, n, vals FROM ${table} WHERE host_id = ? AND ts >= ? AND ts < ? ORDER BY ts`).raw(true));
    this.selectRaw = db
      .prepare<[number, number, number], [number, number, number, Buffer]>('SELECT ts, counters_lag, layout_id, vals FROM sample_rows WHERE host_id = ? AND ts >= ? AND ts < ? ORDER BY ts')
      .raw(true);
  }

  /**
   * Builds the 5-minute buckets of [from, to) from raw samples (a sample counts at its own
   * time: a counter at its row's time less the lag, so rows up to the lag past `to` are read).
   * Returns how many buckets were written.
   */
  buildFromRaw(hostId: number, from: number, to: number): number {
    const bucketMs = TIERS['5m'].bucketMs;
    const buckets = new Map<number, Map<number, StatsBuilder>>();
    for (const [ts, lag, layoutId, vals] of this.selectRaw.all(hostId, from, to + MAX_COUNTER_LAG_MS)) {
      const layout = this.layouts.get(layoutId);
      const values = decodeValues(vals);
      for (let k = 0; k < values.length; k++) {
        const t = k >= layout.countersFrom ? ts - lag : ts;
        if (t < from || t >= to) continue;
        addValue(statsOf(buckets, bucketStart(t, bucketMs), layout.series[k]!), values[k]!);
      }
    }
    return this.store('5m', hostId, buckets);
  }

  /** Builds the hourly buckets of [from, to) from the 5-minute ones. Returns how many were written. */
  buildHourly(hostId: number, from: number, to: number): number {
    const bucketMs = TIERS['1h'].bucketMs;
    const buckets = new Map<number, Map<number, StatsBuilder>>();
    for (const [ts, layoutId, n, vals] of this.select['5m'].all(hostId, from, to)) {
      const layout = this.layouts.get(layoutId);
      const values = decodeValues(vals);
      const hour = bucketStart(ts, bucketMs);
      layout.series.forEach((id, k) => addStats(statsOf(buckets, hour, id), statsAt(values, k, n)));
    }
    return this.store('1h', hostId, buckets);
  }

  private store(tier: RollupTier, hostId: number, buckets: Map<number, Map<number, StatsBuilder>>): number {
    for (const [ts, bySeries] of buckets) {
      const ids = [...bySeries.keys()];
      const counter = (id: number): boolean => this.series.info(id).counter;
      const gauges = ids.filter((id) => !counter(id)).sort((a, b) => a - b);
      const counters = ids.filter(counter).sort((a, b) => a - b);
      const stats = [...gauges, ...counters].map((id) => finish(bySeries.get(id)!));
      const n = Math.max(...stats.map((s) => s.count));
      const values = stats.flatMap((s) => [s.min, s.max, s.sum, n - s.count]);
      this.write[tier].run(hostId, ts, this.layouts.idOf(hostId, gauges, counters), n, encodeValues(values, this.codec));
    }
    return buckets.size;
  }

  /** The buckets of `series` starting in [from, to), by series, oldest first. */
  range(tier: RollupTier, hostId: number, series: readonly number[], from: number, to: number): Map<number, Bucket[]> {
    const found = new Map(series.map((id) => [id, [] as Bucket[]]));
    const lists = series.map((id) => found.get(id)!);
    const run: number[] = [];
    for (const [ts, layoutId, n, vals] of this.select[tier].all(hostId, from, to)) {
      const layout = this.layouts.get(layoutId);
      for (let i = 0; i < series.length; i++) {
        const k = layout.positions.get(series[i]!);
        if (k === undefined) continue;
        valuesAt(vals, PER_SERIES * k, PER_SERIES, run);
        lists[i]!.push({ ts, stats: { min: run[0]!, max: run[1]!, sum: run[2]!, count: n - run[3]! } });
      }
    }
    return found;
  }
}

function statsOf(buckets: Map<number, Map<number, StatsBuilder>>, ts: number, series: number): StatsBuilder {
  let bucket = buckets.get(ts);
  if (!bucket) buckets.set(ts, (bucket = new Map()));
  let stats = bucket.get(series);
  if (!stats) bucket.set(series, (stats = newStats()));
  return stats;
}

function statsAt(values: readonly number[], k: number, n: number): Stats {
  const at = PER_SERIES * k;
  return { min: values[at]!, max: values[at + 1]!, sum: values[at + 2]!, count: n - values[at + 3]! };
}
