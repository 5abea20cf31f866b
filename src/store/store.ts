import type { Sample } from '../../client-script/src/protocol.js';
import type { CounterSnapshot } from '../metrics/derive.js';
import { metricInfo } from '../metrics/catalog.js';
import type { Labels } from '../metrics/labels.js';
import type { PollRecord, RunRecord } from '../poll/records.js';
import type { Coverage, RollupTier } from '../retention/tiers.js';
import { AlertStore } from './alert-store.js';
import { pollEvents, type HostBefore } from '../events/poll-events.js';
import { EventStore } from './event-store.js';
import { decodeValues, SAMPLE_CODEC, valueAt, type Codec } from './codec.js';
import { openDatabase, type Db, type OpenOptions } from './database.js';
import { HeartbeatStore } from './heartbeat-store.js';
import { Layouts } from './layouts.js';
import { readLastPolls, type HostPolls } from './fleet.js';
import { OutboxStore } from './outbox-store.js';
import { RemoteWriteQueue } from './remote-write-queue.js';
import { RetentionStore } from './retention-store.js';
import { Rollups, type Bucket } from './rollups.js';
import { MAX_COUNTER_LAG_MS, SampleRows } from './sample-rows.js';
import { acquireRunLock, type Holder, type LockDeps, type LockResult } from './run-lock.js';
import { SeriesIds } from './series-ids.js';
import { SilenceStore } from './silence-store.js';
import { UserStore } from './user-store.js';
import { WebReads } from './web-reads.js';
import { WatchTextStore } from './watch-text-store.js';
import { watchEvents } from '../checks/watch-events.js';

export interface SeriesRange {
  readonly labels: Labels;
  readonly points: ReadonlyArray<{ readonly ts: number; readonly value: number }>;
}

export interface SeriesBuckets {
  readonly labels: Labels;
  readonly buckets: readonly Bucket[];
}

export interface RangeQuery {
  readonly host: string;
  readonly metric: string;
  readonly since: number;
  readonly until: number;
}

interface PollState {
  ok: number;
  ts: number;
  collector: string | null;
}

const UPTIME = 'uptime_sec';

const isCounter = (metric: string): boolean => metricInfo(metric)?.kind === 'counter';

export interface StoreOptions extends OpenOptions {
  /** The format new rows are written in; for benchmarks comparing them (both are always read). */
  readonly codec?: Codec;
}

/** The metrics database: hosts, series, samples, runs and polls. The only writer of samples. */
export class Store {
  private readonly ids: SeriesIds;
  private readonly layouts: Layouts;
  private readonly rows: SampleRows;
  private readonly insertRun;
  private readonly insertPoll;
  private readonly selectMetrics;
  private readonly selectLastPoll;
  private readonly selectLastOkPoll;
  /** Alert states and the notification log. */
  readonly alerts: AlertStore;
  /** Rendered messages waiting to be sent, and what became of them. */
  readonly outbox: OutboxStore;
  readonly silences: SilenceStore;
  /** Accounts and bearer tokens of metrix serve. */
  readonly users: UserStore;
  /** Small reads for metrix serve (polls for the state bar, series lists, run and outbox figures). */
  readonly web: WebReads;
  /** What happened: host down/up, reboots, alerts, silences… (`metrix events`). */
  readonly events: EventStore;
  /** The heartbeat's last accepted ping, for its throttle. */
  readonly heartbeat: HeartbeatStore;
  /** Roll-ups and retention's steps (retention/prune.ts drives them). */
  readonly retention: RetentionStore;
  /** Stored rows the remote-write store has not accepted yet (queued only while `enabled`). */
  readonly remoteWrite: RemoteWriteQueue;
  /** What checks last said and logs last matched (watch_texts). */
  readonly watchTexts: WatchTextStore;
  private readonly rollups: Rollups;

  /** The raw handle is for store/ alone: commands use the methods and stores above. */
  private constructor(
    private readonly db: Db,
    codec: Codec,
  ) {
    this.ids = new SeriesIds(db);
    this.layouts = new Layouts(db);
    this.rows = new SampleRows(db, this.layouts, this.ids, codec);
    this.rollups = new Rollups(db, this.layouts);
    this.retention = new RetentionStore(db, this.layouts, this.rollups);
    this.insertRun = db.prepare('INSERT INTO runs (started_at, finished_at, hosts_ok, hosts_failed) VALUES (?, ?, ?, ?)');
    this.selectMetrics = db.prepare<[number], { metric: string }>('SELECT DISTINCT metric FROM series WHERE host_id = ? ORDER BY metric');
    this.insertPoll = db.prepare('INSERT INTO polls (run_id, host, ts, ok, reason, message, duration_ms, collector) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    // As in fleet.ts: the latest poll is one seek; the latest good one reads past the failures since.
    this.selectLastPoll = db.prepare<[string], PollState>('SELECT ok, ts, collector FROM polls WHERE host = ? ORDER BY ts DESC, rowid DESC LIMIT 1');
    this.selectLastOkPoll = db.prepare<[string], PollState>('SELECT ok, ts, collector FROM polls WHERE host = ? AND ok = 1 ORDER BY ts DESC, rowid DESC LIMIT 1');
    this.events = new EventStore(db);
    this.alerts = new AlertStore(db, this.events);
    this.outbox = new OutboxStore(db);
    this.silences = new SilenceStore(db, this.events);
    this.users = new UserStore(db);
    this.web = new WebReads(db);
    this.heartbeat = new HeartbeatStore(db);
    this.remoteWrite = new RemoteWriteQueue(db, this.rows, this.layouts, this.ids);
    this.watchTexts = new WatchTextStore(db);
  }

  /** Runs `work` as one write transaction (BEGIN IMMEDIATE): all of it is stored, or none. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** Takes the one execute lock in this database (see run-lock.ts). */
  acquireRunLock(me: Holder, waitMs: number, deps: LockDeps): Promise<LockResult> {
    return acquireRunLock(this.db, me, waitMs, deps);
  }

  static open(path: string, options: StoreOptions = {}): Store {
    return new Store(openDatabase(path, options), options.codec ?? SAMPLE_CODEC);
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
    // Newest row first; failed polls (host_up only) hold no counters and are passed over.
    for (const row of this.rows.newest(hostId)) {
      const { series, countersFrom } = row.layout;
      if (countersFrom === series.length) continue;
      const values = decodeValues(row.vals);
      const counters = series.slice(countersFrom).map((id, i) => {
        const info = this.ids.info(id);
        return { m: info.metric, v: values[countersFrom + i]!, l: info.labels };
      });
      return { ts: row.ts - row.lag, counters };
    }
    return undefined;
  }

  /** Writes a whole run in one transaction: a run that dies leaves no half-written poll. */
  writeRun(run: RunRecord): number {
    const { insertRun, insertPoll } = this;
    const write = this.db.transaction((): number => {
      const failed = run.polls.filter((poll) => poll.failure).length;
      const runId = Number(insertRun.run(run.startedAt, run.finishedAt, run.polls.length - failed, failed).lastInsertRowid);
      for (const poll of run.polls) {
        // Before this poll is stored: what it changed is judged against the polls before it.
        for (const event of pollEvents(this.hostBefore(poll), poll)) this.events.add(event);
        const message = poll.failure?.message ?? (poll.warnings?.length ? poll.warnings.join('; ') : null);
        insertPoll.run(runId, poll.host, poll.ts, poll.failure ? 0 : 1, poll.failure?.reason ?? null, message, poll.durationMs, poll.collector ?? null);
        this.insertPollSamples(poll);
        for (const event of watchEvents(poll, this.watchTexts.record(poll))) this.events.add(event);
      }
      return runId;
    });
    try {
      return write.immediate();
    } catch (err) {
      this.forgetIds();
      throw err;
    }
  }

  /**
   * What the poll's events are judged against (events/poll-events.ts). A failed poll needs
   * only the latest poll; a good one also the latest good one (the same row while the host
   * stays up) and, when it reports an uptime, the uptime that poll stored (one seek).
   */
  private hostBefore(poll: PollRecord): HostBefore {
    const last = this.selectLastPoll.get(poll.host);
    if (!last || poll.failure) return { last: last && { ok: last.ok === 1 }, lastOk: undefined };
    const ok = last.ok === 1 ? last : this.selectLastOkPoll.get(poll.host);
    const hasUptime = poll.samples.some((s) => s.m === UPTIME && Object.keys(s.l ?? {}).length === 0);
    return {
      last: { ok: last.ok === 1 },
      lastOk: ok && { ts: ok.ts, collector: ok.collector ?? undefined, uptimeSec: hasUptime ? this.uptimeAt(poll.host, ok.ts) : undefined },
    };
  }

  /**
   * The uptime the host's poll at `ts` stored. Only asked when the poll being written carries
   * an uptime: the series id then comes from the cache the write uses (creating the series
   * here would otherwise leave an empty one behind).
   */
  private uptimeAt(host: string, ts: number): number | undefined {
    const hostId = this.ids.host(host);
    const row = this.rows.at(hostId, ts);
    const k = row ? row.layout.series.indexOf(this.ids.seriesOf(hostId, UPTIME, undefined)) : -1;
    return k >= 0 ? valueAt(row!.vals, k) : undefined;
  }

  /** Ids cached during a transaction that rolled back no longer exist. */
  private forgetIds(): void {
    this.ids.forget();
    this.layouts.forget();
    this.rows.forget();
  }

  /** Writes samples of one host taken at one time, in their own transaction. */
  writeSamples(host: string, ts: number, samples: readonly Sample[]): void {
    try {
      this.db.transaction(() => this.insertSamples(host, ts, samples)).immediate();
    } catch (err) {
      this.forgetIds();
      throw err;
    }
  }

  /** The latest value of the metric (any of its series), if it has any. */
  lastValue(host: string, metric: string): number | undefined {
    const hostId = this.ids.findHost(host);
    if (hostId === undefined) return undefined;
    const series = new Set(this.ids.ofMetric(hostId, metric).map((s) => s.id));
    if (series.size === 0) return undefined;
    for (const row of this.rows.newest(hostId)) {
      const k = row.layout.series.findIndex((id) => series.has(id));
      if (k >= 0) return valueAt(row.vals, k);
    }
    return undefined;
  }

  /**
   * One row per poll: counters at the time the host read them (PollRecord.countersTs), kept
   * as the row's lag, the rest at the poll's time. Counters read implausibly early get a row
   * of their own.
   */
  private insertPollSamples(poll: PollRecord): void {
    const lag = poll.ts - (poll.countersTs ?? poll.ts);
    if (lag >= 0 && lag <= MAX_COUNTER_LAG_MS) return this.writeEntries(poll.host, poll.ts, lag, poll.samples);
    const counter = (sample: Sample): boolean => isCounter(sample.m);
    this.writeEntries(poll.host, poll.ts, 0, poll.samples.filter((sample) => !counter(sample)));
    this.writeEntries(poll.host, poll.countersTs!, 0, poll.samples.filter(counter));
  }

  /** Inserts samples of one host taken at one time (merged into a row already there); callers wrap it in a transaction. */
  insertSamples(host: string, ts: number, samples: readonly Sample[]): void {
    this.writeEntries(host, ts, 0, samples);
  }

  private writeEntries(host: string, ts: number, lag: number, samples: readonly Sample[]): void {
    if (samples.length === 0) return;
    const hostId = this.ids.host(host);
    const values = new Array<number>(samples.length);
    for (let i = 0; i < samples.length; i++) values[i] = samples[i]!.v;
    const layoutId = this.rows.write(hostId, ts, lag, this.ids.seriesOfPoll(hostId, samples), values);
    if (layoutId !== undefined) this.remoteWrite.add(hostId, ts, layoutId, samples.length);
  }

  /** Raw samples of one host and metric in [since, until], one entry per label set, oldest first. */
  range(query: RangeQuery): SeriesRange[] {
    const hostId = this.ids.findHost(query.host);
    if (hostId === undefined) return [];
    const series = this.ids.ofMetric(hostId, query.metric);
    if (series.length === 0) return [];
    const points = this.rows.range(
      hostId,
      series.map((s) => s.id),
      query.since,
      query.until,
      isCounter(query.metric),
    );
    return series.filter((s) => points.get(s.id)!.length > 0).map((s) => ({ labels: s.labels, points: points.get(s.id)! }));
  }

  /** What each tier holds for the host (raw samples from when, roll-ups over which buckets); undefined when it has no data. */
  coverage(host: string): Coverage | undefined {
    const hostId = this.ids.findHost(host);
    return hostId === undefined ? undefined : this.retention.coverage(hostId);
  }

  /** Roll-up buckets of one host and metric starting in [since, until], one entry per label set, oldest first. */
  rollupRange(query: RangeQuery & { readonly tier: RollupTier }): SeriesBuckets[] {
    const hostId = this.ids.findHost(query.host);
    if (hostId === undefined) return [];
    return this.ids
      .ofMetric(hostId, query.metric)
      .map((s) => ({ labels: s.labels, buckets: this.rollups.read(query.tier, hostId, s.id, query.since, query.until + 1) }))
      .filter((s) => s.buckets.length > 0);
  }

  /**
   * Writes roll-up buckets of a host's series as given (retention builds them from raw
   * samples; benchmarks and tests write them directly). Callers wrap it in a transaction.
   */
  insertRollups(tier: RollupTier, host: string, series: ReadonlyArray<Omit<Sample, 'v'> & { readonly buckets: readonly Bucket[] }>): void {
    const hostId = this.ids.host(host);
    for (const s of series) this.rollups.write(tier, hostId, this.ids.seriesOf(hostId, s.m, s.l), s.buckets);
  }

  /**
   * The samples of `metrics` each host stored at one time (the `ts` of one of its polls), by
   * host; hosts with none are left out. One seek on the (host, time) key per host, no history
   * read; every metric when `metrics` is not given. The one reader of samples by poll.
   */
  samplesAt(at: ReadonlyArray<{ readonly host: string; readonly ts: number }>, metrics?: readonly string[]): Map<string, Sample[]> {
    const wanted = metrics && new Set(metrics);
    const found = new Map<string, Sample[]>();
    for (const { host, ts } of at) {
      const hostId = this.ids.findHost(host);
      if (hostId === undefined) continue;
      const row = this.rows.at(hostId, ts);
      if (!row) continue;
      const values = decodeValues(row.vals);
      // Counters read before the poll's end are at another time, not this one.
      const samples = row.layout.series.flatMap((id, k): Sample[] => {
        const info = this.ids.info(id);
        if ((wanted && !wanted.has(info.metric)) || (k >= row.layout.countersFrom && row.lag !== 0)) return [];
        return [{ m: info.metric, v: values[k]!, l: info.labels }];
      });
      if (samples.length > 0) found.set(host, samples);
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
    return this.selectMetrics.all(hostId).map((row) => row.metric);
  }
}
