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

export type NewSilence = Omit<Silence, 'id'>;

/** Silences; adding and ending one records an event in the same transaction. */
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
    })();
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
    })();
  }

  /**
   * Records the end of silences that ran out in (after, upTo] and were not removed, once
   * each (the caller keeps `after` as the end of the last call's span).
   */
  recordRunOut(after: number, upTo: number): number {
    const ended = this.db
      .prepare<[number, number], Row>('SELECT * FROM silences WHERE removed_at IS NULL AND ends_at > ? AND ends_at <= ? ORDER BY ends_at, id')
      .all(after, upTo)
      .map(fromRow);
    for (const silence of ended) this.events.add(silenceEndedEvent(silence, silence.endsAt, false));
    return ended.length;
  }
}
