import type { Silence } from '../alerts/silences.js';
import { canonicalLabels, type Labels } from '../metrics/labels.js';
import type { Db } from './database.js';

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

export class SilenceStore {
  constructor(private readonly db: Db) {}

  add(silence: NewSilence, now: number): number {
    const info = this.db
      .prepare('INSERT INTO silences (host, rule, labels, starts_at, ends_at, comment, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(silence.host ?? null, silence.rule ?? null, canonicalLabels(silence.labels), silence.startsAt, silence.endsAt, silence.comment, silence.createdBy, now);
    return Number(info.lastInsertRowid);
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
    return this.db.prepare('UPDATE silences SET removed_at = ?, ends_at = min(ends_at, ?) WHERE id = ? AND removed_at IS NULL AND ends_at > ?').run(now, now, id, now).changes === 1;
  }
}
