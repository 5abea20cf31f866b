import type { Labels } from '../metrics/labels.js';
import type { Db } from './database.js';

/** A poll's time and outcome, for the host page's state bar. */
export interface PollMark {
  readonly ts: number;
  readonly ok: boolean;
}

/** What `metrix serve` reads beyond what the CLI's readers give: small queries over existing tables. */
export class WebReads {
  // Prepared once: better-sqlite3 compiles a statement on every prepare(), which cost an
  // uncached /api/v1/query more than reading its samples did.
  private readonly selectDataVersion;
  private readonly selectPollBefore;
  private readonly selectPollsWithin;
  private readonly countPollsWithin;
  private readonly selectSeries;
  private readonly selectSeriesOfMetric;
  private readonly selectLastRun;
  private readonly countOutbox;
  /** dataVersion's answer in this turn of the event loop. */
  private version: number | undefined;

  constructor(db: Db) {
    this.selectDataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.selectPollBefore = db.prepare<[string, number], { ts: number; ok: number }>('SELECT ts, ok FROM polls WHERE host = ? AND ts < ? ORDER BY ts DESC LIMIT 1');
    this.selectPollsWithin = db.prepare<[string, number, number], { ts: number; ok: number }>('SELECT ts, ok FROM polls WHERE host = ? AND ts >= ? AND ts <= ? ORDER BY ts');
    this.countPollsWithin = db.prepare<[string, number, number, number], number>('SELECT count(*) FROM (SELECT 1 FROM polls WHERE host = ? AND ts >= ? AND ts <= ? LIMIT ?)').pluck();
    this.selectSeries = db.prepare<[string], { metric: string; labels: string }>('SELECT s.metric, s.labels FROM series s JOIN hosts h ON h.id = s.host_id WHERE h.name = ? ORDER BY s.metric, s.labels');
    this.selectSeriesOfMetric = db.prepare<[string, string], string>('SELECT s.labels FROM series s JOIN hosts h ON h.id = s.host_id WHERE h.name = ? AND s.metric = ? ORDER BY s.labels').pluck();
    this.selectLastRun = db.prepare<[], { started_at: number; finished_at: number; hosts_ok: number; hosts_failed: number }>('SELECT * FROM runs ORDER BY id DESC LIMIT 1');
    this.countOutbox = db.prepare<[], number>('SELECT count(*) FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL').pluck();
  }

  /** The host's polls in [since, until], oldest first, and the last one before `since` (it gives the state at `since`). */
  polls(host: string, since: number, until: number): { before: PollMark | undefined; within: PollMark[] } {
    const before = this.selectPollBefore.get(host, since);
    const within = this.selectPollsWithin.all(host, since, until);
    const mark = (row: { ts: number; ok: number }): PollMark => ({ ts: row.ts, ok: row.ok === 1 });
    return { before: before && mark(before), within: within.map(mark) };
  }

  /** How many polls of the host fall in [since, until], counted up to `atMost` only (an index walk that stops there). */
  pollCount(host: string, since: number, until: number, atMost: number): number {
    return this.countPollsWithin.get(host, since, until, atMost)!;
  }

  /** Every series stored for the host, by metric then labels. */
  series(host: string): Array<{ metric: string; labels: Labels }> {
    return this.selectSeries.all(host).map((row) => ({ metric: row.metric, labels: JSON.parse(row.labels) as Labels }));
  }

  /** The label sets stored for one metric of the host, sorted. */
  seriesOf(host: string, metric: string): Labels[] {
    return this.selectSeriesOfMetric.all(host, metric).map((labels) => JSON.parse(labels) as Labels);
  }

  /** The newest run: when it started and finished, and how many hosts it polled well and not. */
  lastRun(): { startedAt: number; finishedAt: number; ok: number; failed: number } | undefined {
    const row = this.selectLastRun.get();
    return row && { startedAt: row.started_at, finishedAt: row.finished_at, ok: row.hosts_ok, failed: row.hosts_failed };
  }

  /** Messages in the outbox neither sent nor given up. */
  outboxDepth(): number {
    return this.countOutbox.get()!;
  }

  /**
   * A number that changes whenever another connection commits to the database (PRAGMA
   * data_version). Read once per turn of the event loop: a request asks it from several places
   * (its token, the answer cache), and under WAL each read takes the shared-memory lock.
   */
  dataVersion(): number {
    if (this.version === undefined) {
      this.version = this.selectDataVersion.get()!;
      setImmediate(() => (this.version = undefined));
    }
    return this.version;
  }
}
