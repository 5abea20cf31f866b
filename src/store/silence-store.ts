import type { Silence } from '../alerts/silences.js';
import { silenceAddedEvent, silenceEndedEvent } from '../events/silence-events.js';
import { canonicalLabels, type Labels } from '../metrics/labels.js';
import type { Db } from './database.js';
import type { EventStore } from './event-store.js';

interface Row {
  id: number;
  host: string | null;
  rule: string | null;
  labels: string;
  starts_at: number;
  ends_at: number;
  comment: string;
  created_by: string;
}

const fromRow = (row: Row): Silence => ({
  id: row.id,
  host: row.host ?? undefined,
  rule: row.rule ?? undefined,
  labels: JSON.parse(row.labels) as Labels,
  startsAt: row.starts_at,
  endsAt: row.ends_at,
  comment: row.comment,
  createdBy: row.created_by,
});

/** store_state: silences that ran out up to this time have their event. */
const RUN_OUT_TO = 'silence_events_to';

export type NewSilence = Omit<Silence, 'id'>;

/**
 * Silences; adding and ending one records an event in the same transaction. Those transactions
 * begin IMMEDIATE: one that read first and took the write lock after would fail with
 * SQLITE_BUSY_SNAPSHOT whenever the poller committed in between.
 */
export class SilenceStore {
  constructor(
    private readonly db: Db,
    private readonly events: EventStore,
  ) {}

  add(silence: NewSilence, now: number): number {
    return this.db.transaction(() => {
      const info = this.db
        .prepare('INSERT INTO silences (host, rule, labels, starts_at, ends_at, comment, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(silence.host ?? null, silence.rule ?? null, canonicalLabels(silence.labels), silence.startsAt, silence.endsAt, silence.comment, silence.createdBy, now);
      const id = Number(info.lastInsertRowid);
      this.events.add(silenceAddedEvent({ ...silence, id }, now));
      return id;
    }).immediate();
  }

  /** Silences not removed and not yet over at `now` (including ones that start later). */
  current(now: number): Silence[] {
    return this.db
      .prepare<[number], Row>('SELECT * FROM silences WHERE removed_at IS NULL AND ends_at > ? ORDER BY starts_at, id')
      .all(now)
      .map(fromRow);
  }

  /** Ends a silence now; false when there is no such current silence. */
  remove(id: number, now: number): boolean {
    return this.db.transaction(() => {
      const row = this.db.prepare<[number, number], Row>('SELECT * FROM silences WHERE id = ? AND removed_at IS NULL AND ends_at > ?').get(id, now);
      if (!row) return false;
      this.db.prepare('UPDATE silences SET removed_at = ?, ends_at = min(ends_at, ?) WHERE id = ?').run(now, now, id);
      this.events.add(silenceEndedEvent(fromRow(row), now, true));
      return true;
    }).immediate();
  }

  /**
   * Records an event for each silence that ran out (was not removed) since the last call, up
   * to `upTo`, once: where the last call stopped is kept in store_state. Call inside a transaction.
   */
  recordRunOut(upTo: number): number {
    const after = this.db.prepare<[string], { value: number }>('SELECT value FROM store_state WHERE name = ?').get(RUN_OUT_TO)?.value ?? 0;
    if (upTo <= after) return 0;
    this.db.prepare('INSERT INTO store_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(RUN_OUT_TO, upTo);
    const ended = this.db
      .prepare<[number, number], Row>('SELECT * FROM silences WHERE removed_at IS NULL AND ends_at > ? AND ends_at <= ? ORDER BY ends_at, id')
      .all(after, upTo)
      .map(fromRow);
    for (const silence of ended) this.events.add(silenceEndedEvent(silence, silence.endsAt, false));
    return ended.length;
  }
}
