import { MetrixError } from '../errors.js';
import { decodeValues, encodeValues, listLength, valueAt, type Codec } from './codec.js';
import type { Db } from './database.js';
import type { Layout, Layouts } from './layouts.js';
import type { SeriesIds } from './series-ids.js';

interface Plan {
  readonly ids: readonly number[];
  readonly order: readonly number[];
  readonly layoutId: number;
  readonly counters: boolean;
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface Point {
  readonly ts: number;
  readonly value: number;
}

/**
 * The most a row's counters may precede its time (the collector's run, bounded by
 * commandTimeout). Readers of a counter look this far past a range's end; counters read
 * earlier than this before the report are written as a row of their own.
 */
export const MAX_COUNTER_LAG_MS = 60 * 60_000;

/** A stored row: one host's values at one time, in its layout's order. */
export interface StoredRow {
  readonly ts: number;
  /** The counters (the layout's tail) were read this many ms before `ts`. */
  readonly lag: number;
  readonly layout: Layout;
  readonly vals: Buffer;
}

type RawRow = [ts: number, lag: number, layoutId: number, vals: Buffer];

/** The integers of a comma-separated list (SQLite's group_concat of integers), read in turn without splitting it. */
class IntList {
  private at = 0;

  constructor(private readonly text: string) {}

  done(): boolean {
    return this.at >= this.text.length;
  }

  next(): number {
    const text = this.text;
    let i = this.at;
    let c = text.charCodeAt(i);
    const negative = c === 45; // '-'
    if (negative) c = text.charCodeAt(++i);
    let n = 0;
    while (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      c = text.charCodeAt(++i);
    }
    this.at = i + 1; // past the comma
    return negative ? -n : n;
  }
}

/**
 * The sample rows: one per host per poll, `(host_id, ts)` the key, the poll's values packed
 * in one blob (codec.ts) in the order of a layout (layouts.ts). The only SQL on sample_rows
 * besides retention's deletes.
 */
export class SampleRows {
  private readonly insert;
  private readonly update;
  private readonly selectAt;
  private readonly selectRange;
  private readonly selectGaugeRange;
  private readonly selectNewest;
  private readonly plans = new Map<number, Plan>();

  constructor(
    db: Db,
    private readonly layouts: Layouts,
    private readonly series: SeriesIds,
    private readonly codec: Codec,
  ) {
    this.insert = db.prepare('INSERT INTO sample_rows (host_id, ts, layout_id, counters_lag, vals) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
    this.update = db.prepare('UPDATE sample_rows SET layout_id = ?, counters_lag = ?, vals = ? WHERE host_id = ? AND ts = ?');
    this.selectAt = db.prepare<[number, number], RawRow>('SELECT ts, counters_lag, layout_id, vals FROM sample_rows WHERE host_id = ? AND ts = ?').raw(true);
    // A range comes back as one row: the rows' times, lags and layouts as lists, and their
    // blobs end to end (each blob says how long it is, codec.ts). Handing over a thousand rows
    // one by one, each blob its own Buffer, costs three times as much as the reading. The
    // lists are built in one pass over the rows, so their n-th items belong to the same row
    // whatever order that is (the key's, in practice; `range` sorts if not), and no ORDER BY
    // subquery is needed (a fifth of the statement's time). Gauges need no lags (a row's lag
    // is its counters'): one list less.
    const rangeOf = (lags: boolean) =>
      db
        .prepare<[number, number, number], [string | null, string | null, Buffer | null, string | null]>(
          `SELECT group_concat(ts), group_concat(layout_id), CAST(group_concat(vals, '') AS BLOB)${lags ? ', group_concat(counters_lag)' : ''}
           FROM sample_rows WHERE host_id = ? AND ts >= ? AND ts <= ?`,
        )
        .raw(true);
    this.selectRange = rangeOf(true);
    this.selectGaugeRange = rangeOf(false);
    this.selectNewest = db.prepare<[number], RawRow>('SELECT ts, counters_lag, layout_id, vals FROM sample_rows WHERE host_id = ? ORDER BY ts DESC').raw(true);
  }

  /**
   * Writes the host's values at `ts` (counters read `lag` ms earlier): `values[i]` of series
   * `ids[i]`; a series given twice keeps its last value. A row already at (host, ts) is
   * merged with: its values stay unless written again, and a row keeps one counters time,
   * the latest write's. Returns the layout of the series written (not of the merged row).
   */
  write(hostId: number, ts: number, lag: number, ids: readonly number[], values: readonly number[]): number | undefined {
    if (ids.length === 0) return undefined;
    const plan = this.planFor(hostId, ids);
    const ordered = new Array<number>(plan.order.length);
    for (let j = 0; j < ordered.length; j++) {
      const value = values[plan.order[j]!];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new MetrixError('STORE', `series ${ids[plan.order[j]!]!}: value ${String(value)} is not a finite number; nothing of this write was stored`);
      }
      ordered[j] = value;
    }
    const vals = encodeValues(ordered, this.codec);
    if (this.insert.run(hostId, ts, plan.layoutId, plan.counters ? lag : 0, vals).changes === 1) return plan.layoutId;
    const old = this.at(hostId, ts)!;
    const merged = new Map<number, number>();
    decodeValues(old.vals).forEach((value, k) => merged.set(old.layout.series[k]!, value));
    for (let j = 0; j < ordered.length; j++) merged.set(ids[plan.order[j]!]!, ordered[j]!);
    const next = this.planFor(hostId, [...merged.keys()]);
    const all = [...merged.values()];
    const nextLag = !next.counters ? 0 : plan.counters ? lag : old.lag;
    this.update.run(next.layoutId, nextLag, encodeValues(next.order.map((i) => all[i]!), this.codec), hostId, ts);
    return plan.layoutId;
  }

  /**
   * Where each value goes: the layout (gauges then counters, each by series id) and, per
   * position, the index of its value in `ids`. A host's polls nearly always list the same
   * series in the same order, so the last plan is kept per host and reused when they match.
   */
  private planFor(hostId: number, ids: readonly number[]): Plan {
    const last = this.plans.get(hostId);
    if (last && sameIds(last.ids, ids)) return last;
    const lastIndex = new Map<number, number>();
    ids.forEach((id, i) => lastIndex.set(id, i));
    const isCounter = (id: number): boolean => this.series.info(id).counter;
    const sorted = [...lastIndex.keys()].sort((a, b) => Number(isCounter(a)) - Number(isCounter(b)) || a - b);
    const gauges = sorted.filter((id) => !isCounter(id));
    const counters = sorted.filter(isCounter);
    const plan: Plan = {
      ids: [...ids],
      order: sorted.map((id) => lastIndex.get(id)!),
      layoutId: this.layouts.idOf(hostId, gauges, counters),
      counters: counters.length > 0,
    };
    this.plans.set(hostId, plan);
    return plan;
  }

  /** Drops what was learnt in a transaction that rolled back. */
  forget(): void {
    this.plans.clear();
  }

  at(hostId: number, ts: number): StoredRow | undefined {
    const raw = this.selectAt.get(hostId, ts);
    return raw && this.stored(raw);
  }

  /** The host's rows, newest first; stop iterating when done (the statement is then reset). */
  *newest(hostId: number): Generator<StoredRow> {
    for (const raw of this.selectNewest.iterate(hostId)) yield this.stored(raw);
  }

  /**
   * The points of `series` (all of one metric) in [since, until], by series, oldest first.
   * A counter's time is its row's time less the row's lag, so for counters rows up to
   * MAX_COUNTER_LAG_MS past `until` are read too.
   */
  range(hostId: number, series: readonly number[], since: number, until: number, counters: boolean): Map<number, Point[]> {
    const points = new Map(series.map((id) => [id, [] as Point[]]));
    const lists = series.map((id) => points.get(id)!);
    const positionsOf = new Map<number, Int32Array>();
    let unordered = false;
    const last = new Float64Array(series.length).fill(-Infinity);
    const [times, layoutIds, blobs, lags] = counters ? this.selectRange.get(hostId, since, until + MAX_COUNTER_LAG_MS)! : this.selectGaugeRange.get(hostId, since, until)!;
    if (times === null || layoutIds === null || blobs === null) return points;
    // The lists are read in step, number by number, rather than split: a 24 h range is 288
    // rows, and arrays of strings to parse cost as much as the values' decoding.
    const ts = new IntList(times);
    const lag = lags === null || lags === undefined ? undefined : new IntList(lags);
    const layoutOf = new IntList(layoutIds);
    let offset = 0;
    let layoutId = -1;
    let layout: Layout | undefined;
    let positions: Int32Array | undefined;
    while (!ts.done()) {
      const rowTs = ts.next();
      const rowLag = lag ? lag.next() : 0;
      const id = layoutOf.next();
      // Consecutive rows nearly always share a layout.
      if (id !== layoutId || !layout || !positions) {
        layoutId = id;
        layout = this.layouts.get(id);
        positions = positionsOf.get(id);
        if (!positions) {
          const found = layout.positions;
          positions = Int32Array.from(series, (s) => found.get(s) ?? -1);
          positionsOf.set(id, positions);
        }
      }
      const at = offset;
      offset += listLength(blobs, at, layout.series.length);
      for (let i = 0; i < series.length; i++) {
        const k = positions[i]!;
        if (k < 0) continue;
        const t = k >= layout.countersFrom ? rowTs - rowLag : rowTs;
        if (t < since || t > until) continue;
        if (t < last[i]!) unordered = true;
        last[i] = t;
        lists[i]!.push({ ts: t, value: valueAt(blobs, k, at) });
      }
    }
    if (unordered) for (const list of lists) list.sort((a, b) => a.ts - b.ts);
    return points;
  }

  private stored([ts, lag, layoutId, vals]: RawRow): StoredRow {
    return { ts, lag, layout: this.layouts.get(layoutId), vals };
  }
}
