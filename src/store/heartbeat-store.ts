import { createHash } from 'node:crypto';
import type { Db } from './database.js';

/** The last ping a heartbeat URL's watcher accepted. */
export interface HeartbeatBeat {
  /** Start of the run that sent it: what the throttle counts from. */
  readonly runStartedAt: number;
  readonly sentAt: number;
}

const keyOf = (url: string): string => createHash('sha256').update(url).digest('hex');

/** Heartbeat state, keyed by a hash of the URL (the URL itself holds the watcher's token). */
export class HeartbeatStore {
  constructor(private readonly db: Db) {}

  /** The last accepted ping to `url`; undefined when none was ever accepted. */
  last(url: string): HeartbeatBeat | undefined {
    const row = this.db
      .prepare<[string], { run_started_at: number; sent_at: number }>('SELECT run_started_at, sent_at FROM heartbeat WHERE url_sha256 = ?')
      .get(keyOf(url));
    return row && { runStartedAt: row.run_started_at, sentAt: row.sent_at };
  }

  /** Records an accepted ping; only a success moves the throttle, so a failed one is retried next run. */
  record(url: string, beat: HeartbeatBeat): void {
    this.db
      .prepare(
        `INSERT INTO heartbeat (url_sha256, run_started_at, sent_at) VALUES (?, ?, ?)
         ON CONFLICT (url_sha256) DO UPDATE SET run_started_at = excluded.run_started_at, sent_at = excluded.sent_at`,
      )
      .run(keyOf(url), beat.runStartedAt, beat.sentAt);
  }
}
