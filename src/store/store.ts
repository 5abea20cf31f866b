import type { Sample } from '../../client-script/src/protocol.js';
import type { CounterSnapshot } from '../metrics/derive.js';
import { METRICS, metricInfo } from '../metrics/catalog.js';
import { canonicalLabels, type Labels } from '../metrics/labels.js';
import type { PollRecord, RunRecord } from '../poll/records.js';
import { AlertStore } from './alert-store.js';
import { openDatabase, type Db, type OpenOptions } from './database.js';
import { HeartbeatStore } from './heartbeat-store.js';
import { readLastPolls, type HostPolls } from './fleet.js';
import { OutboxStore } from './outbox-store.js';
import { acquireRunLock, type Holder, type LockDeps, type LockResult } from './run-lock.js';
import { SeriesIds } from './series-ids.js';
import { SilenceStore } from './silence-store.js';

export interface SeriesRange {
  readonly labels: Labels;
  readonly points: ReadonlyArray<{ readonly ts: number; readonly value: number }>;
}

export interface RangeQuery {
  readonly host: string;
  readonly metric: string;
  readonly since: number;
  readonly until: number;
}

// Counter names come from the catalog (snake_case constants), so they can sit in the SQL text.
const COUNTER_LIST = METRICS.filter((info) => info.kind === 'counter')
  .map((info) => `'${info.name}'`)
  .join(', ');

/** The metrics database: hosts, series, samples, runs and polls. The only writer of samples. */
export class Store {
  private readonly ids: SeriesIds;
  private readonly insertSample;
  private readonly selectLastCounters;
  /** Alert states and the notification log. */
  readonly alerts: AlertStore;
  /** Rendered messages waiting to be sent, and what became of them. */
  readonly outbox: OutboxStore;
  readonly silences: SilenceStore;
  /** The heartbeat's last accepted ping, for its throttle. */
  readonly heartbeat: HeartbeatStore;

  /** The raw handle is for store/ alone: commands use the methods and stores above. */
  private constructor(private readonly db: Db) {
    this.ids = new SeriesIds(db);
    this.insertSample = db.prepare('INSERT OR REPLACE INTO samples (host_id, ts, series_id, value) VALUES (?, ?, ?, ?)');
    // Prepared once: the poll path asks for every host's counters. The newest time any counter
    // of the host was stored, then every counter stored at that time.
    this.selectLastCounters = db.prepare<{ host: number }, { ts: number; metric: string; labels: string; value: number }>(
      `SELECT p.ts, s.metric, s.labels, p.value FROM samples p JOIN series s ON s.id = p.series_id
       WHERE p.host_id = @host AND s.metric IN (${COUNTER_LIST}) AND p.ts = (
         SELECT q.ts FROM samples q JOIN series t ON t.id = q.series_id
         WHERE q.host_id = @host AND t.metric IN (${COUNTER_LIST}) ORDER BY q.ts DESC LIMIT 1)`,
    );
    this.alerts = new AlertStore(db);
    this.outbox = new OutboxStore(db);
    this.silences = new SilenceStore(db);
    this.heartbeat = new HeartbeatStore(db);
  }

  /** Runs `work` as one write transaction (BEGIN IMMEDIATE): all of it is stored, or none. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** Takes the one execute lock in this database (see run-lock.ts). */
  acquireRunLock(me: Holder, waitMs: number, deps: LockDeps): Promise<LockResult> {
    return acquireRunLock(this.db, me, waitMs, deps);
  }

  static open(path: string, options?: OpenOptions): Store {
    return new Store(openDatabase(path, options));
  }

  /** Folds the write-ahead log into the database file (benchmarks measure the file after it). */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    this.db.close();
  }

  /** The host's counters as last stored, with the time they were taken; undefined before the first poll. */
  lastCounters(host: string): CounterSnapshot | undefined {
    const hostId = this.ids.findHost(host);
    if (hostId === undefined) return undefined;
    const rows = this.selectLastCounters.all({ host: hostId });
    if (rows.length === 0) return undefined;
    return { ts: rows[0]!.ts, counters: rows.map((row) => ({ m: row.metric, v: row.value, l: JSON.parse(row.labels) as Labels })) };
  }

  /** Writes a whole run in one transaction: a run that dies leaves no half-written poll. */
  writeRun(run: RunRecord): number {
    const insertRun = this.db.prepare('INSERT INTO runs (started_at, finished_at, hosts_ok, hosts_failed) VALUES (?, ?, ?, ?)');
    const insertPoll = this.db.prepare(
      'INSERT INTO polls (run_id, host, ts, ok, reason, message, duration_ms, collector) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const write = this.db.transaction((): number => {
      const failed = run.polls.filter((poll) => poll.failure).length;
      const runId = Number(insertRun.run(run.startedAt, run.finishedAt, run.polls.length - failed, failed).lastInsertRowid);
      for (const poll of run.polls) {
        const message = poll.failure?.message ?? (poll.warnings?.length ? poll.warnings.join('; ') : null);
        insertPoll.run(runId, poll.host, poll.ts, poll.failure ? 0 : 1, poll.failure?.reason ?? null, message, poll.durationMs, poll.collector ?? null);
        this.insertPollSamples(poll);
      }
      return runId;
    });
    try {
      return write.immediate();
    } catch (err) {
      this.ids.forget();
      throw err;
    }
  }

  /** Writes samples of one host taken at one time, in their own transaction. */
  writeSamples(host: string, ts: number, samples: readonly Sample[]): void {
    try {
      this.db.transaction(() => this.insertSamples(host, ts, samples)).immediate();
    } catch (err) {
      this.ids.forget();
      throw err;
    }
  }

  /** The latest value of one series, if it has any. */
  lastValue(host: string, metric: string): number | undefined {
    const hostId = this.ids.findHost(host);
    if (hostId === undefined) return undefined;
    return this.db
      .prepare<[number, number, string], { value: number }>(
        `SELECT p.value FROM samples p JOIN series s ON s.id = p.series_id
         WHERE p.host_id = ? AND s.host_id = ? AND s.metric = ? ORDER BY p.ts DESC LIMIT 1`,
      )
      .get(hostId, hostId, metric)?.value;
  }

  /** Counters go in at the time the host read them, the rest at the poll's time (PollRecord.countersTs). */
  private insertPollSamples(poll: PollRecord): void {
    const countersTs = poll.countersTs ?? poll.ts;
    if (countersTs === poll.ts) return this.insertSamples(poll.host, poll.ts, poll.samples);
    const isCounter = (sample: Sample): boolean => metricInfo(sample.m)?.kind === 'counter';
    this.insertSamples(poll.host, poll.ts, poll.samples.filter((sample) => !isCounter(sample)));
    this.insertSamples(poll.host, countersTs, poll.samples.filter(isCounter));
  }

  /** Inserts samples of one host taken at one time; callers wrap it in a transaction. */
  insertSamples(host: string, ts: number, samples: readonly Sample[]): void {
    const hostId = this.ids.host(host);
    for (const sample of samples) {
      this.insertSample.run(hostId, ts, this.ids.seriesOf(hostId, sample.m, canonicalLabels(sample.l)), sample.v);
    }
  }

  /** Samples of one host and metric in [since, until], one entry per label set, oldest first. */
  range(query: RangeQuery): SeriesRange[] {
    const hostId = this.ids.findHost(query.host);
    if (hostId === undefined) return [];
    const series = this.db
      .prepare<[number, string], { id: number; labels: string }>('SELECT id, labels FROM series WHERE host_id = ? AND metric = ? ORDER BY labels')
      .all(hostId, query.metric);
    if (series.length === 0) return [];
    const points = new Map(series.map((row) => [row.id, [] as Array<{ ts: number; value: number }>]));
    const rows = this.db
      .prepare<[number, number, number], { series_id: number; ts: number; value: number }>(
        `SELECT series_id, ts, value FROM samples WHERE host_id = ? AND ts BETWEEN ? AND ? AND series_id IN (${[...points.keys()].join(',')}) ORDER BY ts`,
      )
      .all(hostId, query.since, query.until);
    for (const row of rows) points.get(row.series_id)!.push({ ts: row.ts, value: row.value });
    return series.filter((row) => points.get(row.id)!.length > 0).map((row) => ({ labels: JSON.parse(row.labels) as Labels, points: points.get(row.id)! }));
  }

  /**
   * The samples of `metrics` each host stored at one time (the `ts` of one of its polls), by
   * host; hosts with none are left out. A seek on the (host, time) key prefix per host, no
   * history read, one statement for the whole call. The one reader of samples by poll: a
   * change to how samples are stored (issue #9) changes this method, not its callers.
   */
  samplesAt(at: ReadonlyArray<{ readonly host: string; readonly ts: number }>, metrics: readonly string[]): Map<string, Sample[]> {
    const select = this.db.prepare<[number, number, string], { metric: string; labels: string; value: number }>(
      `SELECT s.metric, s.labels, p.value FROM samples p JOIN series s ON s.id = p.series_id
       WHERE p.host_id = ? AND p.ts = ? AND s.metric IN (SELECT value FROM json_each(?))`,
    );
    const wanted = JSON.stringify(metrics);
    const found = new Map<string, Sample[]>();
    for (const { host, ts } of at) {
      const hostId = this.ids.findHost(host);
      if (hostId === undefined) continue;
      const rows = select.all(hostId, ts, wanted);
      if (rows.length > 0) found.set(host, rows.map((row) => ({ m: row.metric, v: row.value, l: JSON.parse(row.labels) as Labels })));
    }
    return found;
  }

  /** Each host's latest poll and its latest successful one (see fleet.ts). */
  lastPolls(hosts: readonly string[]): Map<string, HostPolls> {
    return readLastPolls(this.db, hosts);
  }

  /** The metrics stored for a host (distinct names), empty when the host has no data. */
  metricsOf(host: string): string[] {
    const hostId = this.ids.findHost(host);
    if (hostId === undefined) return [];
    return this.db
      .prepare<[number], { metric: string }>('SELECT DISTINCT metric FROM series WHERE host_id = ? ORDER BY metric')
      .all(hostId)
      .map((row) => row.metric);
  }
}
