import type { Labels } from '../metrics/labels.js';
import type { Db } from './database.js';

/** A poll's time and outcome, for the host page's state bar. */
export interface PollMark {
  readonly ts: number;
  readonly ok: boolean;
}

/** What `metrix serve` reads beyond what the CLI's readers give: small queries over existing tables. */
export class WebReads {
  private readonly selectDataVersion;

  constructor(private readonly db: Db) {
    this.selectDataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
  }

  /** The host's polls in [since, until], oldest first, and the last one before `since` (it gives the state at `since`). */
  polls(host: string, since: number, until: number): { before: PollMark | undefined; within: PollMark[] } {
    const before = this.db.prepare<[string, number], { ts: number; ok: number }>('SELECT ts, ok FROM polls WHERE host = ? AND ts < ? ORDER BY ts DESC LIMIT 1').get(host, since);
    const within = this.db
      .prepare<[string, number, number], { ts: number; ok: number }>('SELECT ts, ok FROM polls WHERE host = ? AND ts >= ? AND ts <= ? ORDER BY ts')
      .all(host, since, until);
    const mark = (row: { ts: number; ok: number }): PollMark => ({ ts: row.ts, ok: row.ok === 1 });
    return { before: before && mark(before), within: within.map(mark) };
  }

  /** Every series stored for the host, by metric then labels. */
  series(host: string): Array<{ metric: string; labels: Labels }> {
    return this.db
      .prepare<[string], { metric: string; labels: string }>('SELECT s.metric, s.labels FROM series s JOIN hosts h ON h.id = s.host_id WHERE h.name = ? ORDER BY s.metric, s.labels')
      .all(host)
      .map((row) => ({ metric: row.metric, labels: JSON.parse(row.labels) as Labels }));
  }

  /** The newest run: when it started and finished, and how many hosts it polled well and not. */
  lastRun(): { startedAt: number; finishedAt: number; ok: number; failed: number } | undefined {
    const row = this.db
      .prepare<[], { started_at: number; finished_at: number; hosts_ok: number; hosts_failed: number }>('SELECT * FROM runs ORDER BY id DESC LIMIT 1')
      .get();
    return row && { startedAt: row.started_at, finishedAt: row.finished_at, ok: row.hosts_ok, failed: row.hosts_failed };
  }

  /** Messages in the outbox neither sent nor given up. */
  outboxDepth(): number {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL').get()!.n;
  }

  /** A number that changes whenever another connection commits to the database (PRAGMA data_version). */
  dataVersion(): number {
    return this.selectDataVersion.get()!;
  }
}
