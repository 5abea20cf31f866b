import type { Db } from './database.js';

/** One row of `polls`: when a host was polled and, when it failed, why. */
export interface PollSummary {
  readonly ts: number;
  readonly ok: boolean;
  /** The failure reason (`unreachable`, `auth`, …) of a failed poll. */
  readonly reason: string | undefined;
  /** A failed poll's message, or the collector warnings of a good one. */
  readonly message: string | undefined;
}

/** A host's latest poll and its latest successful one: the same row when the latest succeeded. */
export interface HostPolls {
  readonly last: PollSummary | undefined;
  readonly lastOk: PollSummary | undefined;
}

interface Row {
  ts: number;
  ok: number;
  reason: string | null;
  message: string | null;
}

const fromRow = (row: Row | undefined): PollSummary | undefined =>
  row && { ts: row.ts, ok: row.ok === 1, reason: row.reason ?? undefined, message: row.message ?? undefined };

// Both walk the (host, ts) index backwards from the newest poll and stop at the first match:
// the latest poll is one seek; the latest good one reads past that host's failures since, no more.
const LAST = 'SELECT ts, ok, reason, message FROM polls WHERE host = ? ORDER BY ts DESC, rowid DESC LIMIT 1';
const LAST_OK = 'SELECT ts, ok, reason, message FROM polls WHERE host = ? AND ok = 1 ORDER BY ts DESC, rowid DESC LIMIT 1';

/** Each host's latest poll and latest successful one, by host; a host never polled is left out. */
export function readLastPolls(db: Db, hosts: readonly string[]): Map<string, HostPolls> {
  const selectLast = db.prepare<[string], Row>(LAST);
  const selectLastOk = db.prepare<[string], Row>(LAST_OK);
  const found = new Map<string, HostPolls>();
  for (const host of hosts) {
    const last = fromRow(selectLast.get(host));
    if (last === undefined) continue;
    found.set(host, { last, lastOk: last.ok ? last : fromRow(selectLastOk.get(host)) });
  }
  return found;
}
