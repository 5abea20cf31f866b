import type { PollRecord } from '../poll/records.js';
import type { Db } from './database.js';

/** A check whose status differs from the one stored before this poll, or whose first result is not OK. */
export interface CheckChange {
  readonly host: string;
  readonly check: string;
  /** Undefined for a check's first result. */
  readonly from: number | undefined;
  readonly to: number;
  readonly text: string;
  readonly ts: number;
}

/** The latest word of a check or log on a host. */
export interface WatchText {
  readonly ts: number;
  readonly status: number | undefined;
  /** A check's first output line; for a log, see `lines`. */
  readonly text: string;
  readonly lines: readonly string[];
}

interface Row {
  ts: number;
  status: number | null;
  text: string;
}

/** watch_texts: what each check last said and what each log last matched, per host. */
export class WatchTextStore {
  private readonly select;
  private readonly upsert;

  constructor(db: Db) {
    this.select = db.prepare<[string, string, string], Row>('SELECT ts, status, text FROM watch_texts WHERE host = ? AND kind = ? AND name = ?');
    this.upsert = db.prepare(
      `INSERT INTO watch_texts (host, kind, name, ts, status, text) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (host, kind, name) DO UPDATE SET ts = excluded.ts, status = excluded.status, text = excluded.text`,
    );
  }

  /**
   * Keeps a poll's check texts and log lines (a log's only when it matched something, so the
   * lines behind the last alert stay); call inside the run's transaction. Returns the checks
   * whose status changed.
   */
  record(poll: PollRecord): CheckChange[] {
    const changes: CheckChange[] = [];
    for (const check of poll.checks ?? []) {
      const before = this.select.get(poll.host, 'check', check.check);
      const was = before?.status ?? undefined;
      if (was === undefined ? check.status !== 0 : was !== check.status) {
        changes.push({ host: poll.host, check: check.check, from: was, to: check.status, text: check.text, ts: poll.ts });
      }
      this.upsert.run(poll.host, 'check', check.check, poll.ts, check.status, check.text);
    }
    for (const log of poll.logs ?? []) {
      if (log.matches > 0) this.upsert.run(poll.host, 'log', log.log, poll.ts, null, JSON.stringify(log.lines));
    }
    return changes;
  }

  /** The latest text of a check or the last matching lines of a log, if any were stored. */
  latest(host: string, kind: 'check' | 'log', name: string): WatchText | undefined {
    const row = this.select.get(host, kind, name);
    if (!row) return undefined;
    return { ts: row.ts, status: row.status ?? undefined, text: kind === 'check' ? row.text : '', lines: kind === 'log' ? parseLines(row.text) : [] };
  }
}

function parseLines(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((line): line is string => typeof line === 'string') : [];
  } catch {
    return [];
  }
}
