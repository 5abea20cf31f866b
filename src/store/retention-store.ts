import { bucketStart } from '../retention/rollup.js';
import { EMPTY_TIERS, targets, type RetentionPolicy, type TierState } from '../retention/policy.js';
import { CHUNK_MS, TIERS, type Coverage, type RollupTier } from '../retention/tiers.js';
import type { Db } from './database.js';
import type { Layouts } from './layouts.js';
import type { Rollups } from './rollups.js';
import { MAX_COUNTER_LAG_MS } from './sample-rows.js';

const HOUR = TIERS['1h'].bucketMs;
const DAY = 24 * HOUR;

/**
 * How much one step may cover, so each transaction stays short (a poll waiting for the
 * write lock waits for one step, not for the whole pass): a few hours of raw rows, days of
 * 5-minute chunks, a month of hourly ones (whole chunks: see CHUNK_MS); other tables by row count.
 */
const SPAN: Readonly<Record<'raw' | RollupTier, number>> = { raw: 6 * HOUR, '5m': 3 * DAY, '1h': 30 * DAY };
const ROWS_PER_STEP = 5000;

/** What retention removed and built; one pass's or one step's. */
export interface PruneCounts {
  rawRows: number;
  rawSamples: number;
  built5m: number;
  built1h: number;
  removed5m: number;
  removed1h: number;
  polls: number;
  runs: number;
  outbox: number;
  alerts: number;
  events: number;
}

export const noCounts = (): PruneCounts => ({ rawRows: 0, rawSamples: 0, built5m: 0, built1h: 0, removed5m: 0, removed1h: 0, polls: 0, runs: 0, outbox: 0, alerts: 0, events: 0 });

interface TierRow {
  raw_from: number;
  m5_from: number;
  m5_to: number;
  h1_from: number;
  h1_to: number;
}

/**
 * The SQL of retention: each method is one bounded step, run in its own transaction by
 * retention/prune.ts; each reads the state it needs inside that transaction, so two
 * processes applying retention at once take turns and never repeat or skip a step.
 */
export class RetentionStore {
  private readonly selectTiers;
  private readonly upsertTiers;
  private readonly firstRaw;
  private readonly deleteRaw;
  private readonly lastOkPoll;
  private readonly lastPoll;
  private readonly deletePolls;
  private readonly deleteRuns;
  private readonly deleteOutbox;
  private readonly deleteAlerts;
  private readonly deleteEvents;
  private readonly selectHosts;
  private readonly selectState;
  private readonly upsertState;

  constructor(
    private readonly db: Db,
    private readonly layouts: Layouts,
    private readonly rollups: Rollups,
  ) {
    this.selectTiers = db.prepare<[number], TierRow>('SELECT raw_from, m5_from, m5_to, h1_from, h1_to FROM tiers WHERE host_id = ?');
    this.upsertTiers = db.prepare(
      `INSERT INTO tiers (host_id, raw_from, m5_from, m5_to, h1_from, h1_to) VALUES (@host, @rawFrom, @m5From, @m5To, @h1From, @h1To)
       ON CONFLICT (host_id) DO UPDATE SET raw_from = excluded.raw_from, m5_from = excluded.m5_from, m5_to = excluded.m5_to,
         h1_from = excluded.h1_from, h1_to = excluded.h1_to`,
    );
    this.firstRaw = db.prepare<[number, number], { ts: number }>('SELECT ts FROM sample_rows WHERE host_id = ? AND ts >= ? ORDER BY ts LIMIT 1');
    // No lower bound: rows left below the cut are only the few kept for `metrix hosts`, and an
    // older one of those goes once the host has a newer good poll.
    this.deleteRaw = db.prepare<[number, number, number], { layout_id: number }>('DELETE FROM sample_rows WHERE host_id = ? AND ts < ? AND ts != ? RETURNING layout_id');
    this.lastOkPoll = db.prepare<[string], { rowid: number; ts: number; run_id: number }>('SELECT rowid, ts, run_id FROM polls WHERE host = ? AND ok = 1 ORDER BY ts DESC, rowid DESC LIMIT 1');
    this.lastPoll = db.prepare<[string], { rowid: number; ts: number; run_id: number }>('SELECT rowid, ts, run_id FROM polls WHERE host = ? ORDER BY ts DESC, rowid DESC LIMIT 1');
    this.deletePolls = db.prepare(
      `DELETE FROM polls WHERE rowid IN (
         SELECT rowid FROM polls WHERE host = ? AND ts < ? AND rowid NOT IN (SELECT value FROM json_each(?)) ORDER BY ts LIMIT ${ROWS_PER_STEP})`,
    );
    this.deleteRuns = db.prepare(
      `DELETE FROM runs WHERE id IN (
         SELECT id FROM runs WHERE finished_at < ? AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ${ROWS_PER_STEP})`,
    );
    this.deleteOutbox = db.prepare(
      `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE sent_at < @before OR given_up_at < @before LIMIT ${ROWS_PER_STEP})`,
    );
    this.deleteAlerts = db.prepare(
      `DELETE FROM alerts WHERE id IN (
         SELECT id FROM alerts WHERE active_since < @before AND state = 'resolved' AND resolved_at < @before LIMIT ${ROWS_PER_STEP})`,
    );
    this.deleteEvents = db.prepare(`DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ts < @before ORDER BY ts LIMIT ${ROWS_PER_STEP})`);
    this.selectHosts = db.prepare<[], { id: number; name: string }>('SELECT id, name FROM hosts ORDER BY id');
    this.selectState = db.prepare<[string], { value: number }>('SELECT value FROM store_state WHERE name = ?');
    this.upsertState = db.prepare('INSERT INTO store_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value');
  }

  /** Runs `work` as one write transaction. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  hosts(): Array<{ id: number; name: string }> {
    return this.selectHosts.all();
  }

  tiers(hostId: number): TierState {
    const row = this.selectTiers.get(hostId);
    return row ? { rawFrom: row.raw_from, m5From: row.m5_from, m5To: row.m5_to, h1From: row.h1_from, h1To: row.h1_to } : EMPTY_TIERS;
  }

  /** What a host's tiers hold, for queries. */
  coverage(hostId: number): Coverage {
    const state = this.tiers(hostId);
    return { rawFrom: state.rawFrom, rollups: { '5m': { from: state.m5From, to: state.m5To }, '1h': { from: state.h1From, to: state.h1To } } };
  }

  private setTiers(hostId: number, state: TierState): void {
    this.upsertTiers.run({ host: hostId, ...state });
  }

  /**
   * One bounded step of retention for one host at `now`, in the order the steps depend on
   * each other: build 5-minute buckets, build hourly ones, then remove raw rows, 5-minute and
   * hourly buckets past their retention. Adds what it did to `counts`; false when the host
   * has nothing left to do. Call inside a transaction.
   */
  hostStep(hostId: number, hostName: string, now: number, policy: RetentionPolicy, counts: PruneCounts): boolean {
    const state = this.tiers(hostId);
    const goal = targets(now, policy, state);
    if (state.m5To < goal.m5To) {
      // Start at the first sample not yet rolled up (a counter may sit up to the lag before its row).
      const first = this.firstRaw.get(hostId, state.m5To)?.ts;
      const from = first === undefined ? goal.m5To : Math.max(state.m5To, bucketStart(first - MAX_COUNTER_LAG_MS, TIERS['5m'].bucketMs));
      const to = Math.min(goal.m5To, bucketStart(from, HOUR) + SPAN.raw);
      if (from < to) counts.built5m += this.rollups.buildFromRaw(hostId, from, to);
      this.setTiers(hostId, { ...state, m5To: Math.max(to, state.m5To) });
      return true;
    }
    if (state.h1To < goal.h1To) {
      const first = this.rollups.firstChunk('5m', hostId, bucketStart(state.h1To, CHUNK_MS['5m']));
      const from = first === undefined ? goal.h1To : Math.max(state.h1To, first);
      const to = Math.min(goal.h1To, from + SPAN['5m']);
      if (from < to) counts.built1h += this.rollups.buildHourly(hostId, from, to);
      this.setTiers(hostId, { ...state, h1To: Math.max(to, state.h1To) });
      return true;
    }
    if (state.rawFrom < goal.rawFrom) {
      const first = this.firstRaw.get(hostId, state.rawFrom)?.ts;
      const to = first === undefined ? goal.rawFrom : Math.min(goal.rawFrom, bucketStart(first, HOUR) + SPAN.raw);
      // The row of the host's latest good poll stays: `metrix hosts` shows a long-down host from it.
      const keep = this.lastOkPoll.get(hostName)?.ts ?? -1;
      const removed = this.deleteRaw.all(hostId, to, keep);
      counts.rawRows += removed.length;
      for (const row of removed) counts.rawSamples += this.layouts.get(row.layout_id).series.length;
      this.setTiers(hostId, { ...state, rawFrom: to });
      return true;
    }
    for (const [tier, from, goalFrom] of [['5m', state.m5From, goal.m5From], ['1h', state.h1From, goal.h1From]] as const) {
      if (from >= goalFrom) continue;
      // Whole chunks go: every cut here is a chunk boundary (see targets).
      const first = this.rollups.firstChunk(tier, hostId, from);
      const to = first === undefined ? goalFrom : Math.min(goalFrom, first + SPAN[tier]);
      const removed = this.rollups.removeBefore(tier, hostId, to);
      if (tier === '5m') counts.removed5m += removed;
      else counts.removed1h += removed;
      this.setTiers(hostId, tier === '5m' ? { ...state, m5From: to } : { ...state, h1From: to });
      return true;
    }
    return false;
  }

  /** Removes up to a step of one host's polls older than `before`, except its latest and latest good one. */
  pollsStep(host: string, before: number, counts: PruneCounts): boolean {
    const keep = [this.lastPoll.get(host)?.rowid, this.lastOkPoll.get(host)?.rowid].filter((id) => id !== undefined);
    const removed = this.deletePolls.run(host, before, JSON.stringify(keep)).changes;
    counts.polls += removed;
    return removed === ROWS_PER_STEP;
  }

  /**
   * Removes up to a step of runs that finished before `before`, except those a kept poll
   * names (a run's polls end before it does, so the others' polls are gone already). No
   * index leads from a run to its polls, so SQLite's check of polls.run_id would scan every
   * poll for each run removed: it is switched off for this statement, which keeps it by hand.
   */
  runsStep(hosts: readonly string[], before: number, counts: PruneCounts): boolean {
    const kept = hosts.flatMap((host) => [this.lastPoll.get(host)?.run_id, this.lastOkPoll.get(host)?.run_id]).filter((id) => id !== undefined);
    this.db.pragma('foreign_keys = OFF');
    try {
      const removed = this.transaction(() => this.deleteRuns.run(before, JSON.stringify([...new Set(kept)])).changes);
      counts.runs += removed;
      return removed === ROWS_PER_STEP;
    } finally {
      this.db.pragma('foreign_keys = ON');
    }
  }

  outboxStep(before: number, counts: PruneCounts): boolean {
    const removed = this.deleteOutbox.run({ before }).changes;
    counts.outbox += removed;
    return removed === ROWS_PER_STEP;
  }

  alertsStep(before: number, counts: PruneCounts): boolean {
    const removed = this.deleteAlerts.run({ before }).changes;
    counts.alerts += removed;
    return removed === ROWS_PER_STEP;
  }

  eventsStep(before: number, counts: PruneCounts): boolean {
    const removed = this.deleteEvents.run({ before }).changes;
    counts.events += removed;
    return removed === ROWS_PER_STEP;
  }

  /** A small fact kept in the database, e.g. when retention last ran to the end. */
  state(name: string): number | undefined {
    return this.selectState.get(name)?.value;
  }

  setState(name: string, value: number): void {
    this.upsertState.run(name, value);
  }

  /** The database file's page size and free pages (freed by deletes, reused before the file grows). */
  pages(): { pageSize: number; pages: number; free: number } {
    return {
      pageSize: this.db.pragma('page_size', { simple: true }) as number,
      pages: this.db.pragma('page_count', { simple: true }) as number,
      free: this.db.pragma('freelist_count', { simple: true }) as number,
    };
  }

  /** Folds the write-ahead log back into the file and trims it, when no reader holds it. */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }
}
