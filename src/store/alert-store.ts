import type { AlertRule, Severity } from '../config/types.js';
import type { ActiveAlert, Transition } from '../alerts/evaluate.js';
import { canonicalLabels, type Labels } from '../metrics/labels.js';
import { alertEvents } from '../events/alert-events.js';
import type { Db } from './database.js';
import type { EventStore } from './event-store.js';

/** An alert as stored: its evaluation state plus the notification log. */
export interface AlertRecord extends ActiveAlert {
  readonly metric: string;
  readonly severity: Severity;
  readonly state: 'pending' | 'firing' | 'resolved';
  readonly resolvedAt: number | undefined;
  /** When a firing notice or reminder last went to the outbox; undefined if none ever did. */
  readonly notifiedAt: number | undefined;
  /** Why it is not mailed right now: "silenced by #3", "host f4 is down"; undefined when it is. */
  readonly muted: string | undefined;
}

interface Row {
  code: string;
  rule: string;
  host: string;
  metric: string;
  labels: string;
  severity: Severity;
  state: 'pending' | 'firing' | 'resolved';
  value: number;
  active_since: number;
  firing_since: number | null;
  clearing_since: number | null;
  resolved_at: number | null;
  notified_at: number | null;
  muted: string | null;
}

const undef = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

function fromRow(row: Row): AlertRecord {
  return {
    code: row.code,
    rule: row.rule,
    host: row.host,
    metric: row.metric,
    labels: JSON.parse(row.labels) as Labels,
    severity: row.severity,
    state: row.state,
    status: row.state === 'firing' ? 'firing' : 'pending',
    value: row.value,
    activeSince: row.active_since,
    firingSince: undef(row.firing_since),
    clearingSince: undef(row.clearing_since),
    resolvedAt: undef(row.resolved_at),
    notifiedAt: undef(row.notified_at),
    muted: undef(row.muted),
  };
}

export interface AlertQuery {
  readonly since: number;
  readonly firingOnly: boolean;
}

/** Alert states and history. Evaluation results go in; the notification log is kept beside them. */
export class AlertStore {
  constructor(
    private readonly db: Db,
    private readonly events: EventStore,
  ) {}

  /** The rule's pending and firing alerts, as the evaluator left them last run. */
  open(rule: string): AlertRecord[] {
    return this.db
      .prepare<[string], Row>("SELECT * FROM alerts WHERE rule = ? AND state != 'resolved' ORDER BY id")
      .all(rule)
      .map(fromRow);
  }

  /** Codes in use that begin with `prefix` (digits and a dash: nothing LIKE would read as a pattern). */
  codesStartingWith(prefix: string): Set<string> {
    return new Set(
      this.db
        .prepare<[string], { code: string }>('SELECT code FROM alerts WHERE code LIKE ?')
        .all(`${prefix}%`)
        .map((row) => row.code),
    );
  }

  /**
   * Stores one rule's evaluation: active alerts upserted, resolved ones closed, and the
   * pending ones that no longer hold (`dropped`: their codes) deleted, as if never raised;
   * each alert that started firing or resolved is recorded as an event.
   */
  save(rule: AlertRule, active: readonly ActiveAlert[], transitions: readonly Transition[], dropped: readonly string[]): void {
    const upsert = this.db.prepare(
      `INSERT INTO alerts (code, rule, host, metric, labels, severity, state, value, active_since, firing_since, clearing_since)
       VALUES (@code, @rule, @host, @metric, @labels, @severity, @state, @value, @activeSince, @firingSince, @clearingSince)
       ON CONFLICT (code) DO UPDATE SET state = excluded.state, value = excluded.value,
         firing_since = excluded.firing_since, clearing_since = excluded.clearing_since`,
    );
    const resolve = this.db.prepare("UPDATE alerts SET state = 'resolved', resolved_at = ?, value = coalesce(?, value), clearing_since = NULL WHERE code = ?");
    const remove = this.db.prepare("DELETE FROM alerts WHERE code = ? AND state = 'pending'");
    const write = this.db.transaction(() => {
      for (const alert of active) {
        upsert.run({
          code: alert.code,
          rule: rule.name,
          host: alert.host,
          metric: rule.metric,
          labels: canonicalLabels(alert.labels),
          severity: rule.severity,
          state: alert.status,
          value: alert.value,
          activeSince: alert.activeSince,
          firingSince: alert.firingSince ?? null,
          clearingSince: alert.clearingSince ?? null,
        });
      }
      for (const t of transitions) if (t.kind === 'resolved') resolve.run(t.resolvedAt, t.value ?? null, t.alert.code);
      for (const code of dropped) remove.run(code);
      for (const event of alertEvents(rule, transitions)) this.events.add(event);
    });
    write.immediate();
  }

  /** Records that a firing notice or reminder for these alerts went to the outbox. */
  markNotified(codes: readonly string[], at: number): void {
    const update = this.db.prepare('UPDATE alerts SET notified_at = ?, muted = NULL WHERE code = ?');
    this.db.transaction(() => codes.forEach((code) => update.run(at, code)))();
  }

  setMuted(code: string, reason: string | undefined): void {
    this.db.prepare('UPDATE alerts SET muted = ? WHERE code = ?').run(reason ?? null, code);
  }

  /** History for `metrix alerts`: every alert that fired since `since` (or is firing), newest first. */
  list(query: AlertQuery): AlertRecord[] {
    const where = query.firingOnly ? "state = 'firing'" : "state != 'pending' AND (active_since >= @since OR state = 'firing' OR resolved_at >= @since)";
    return this.db
      .prepare<{ since: number }, Row>(`SELECT * FROM alerts WHERE ${where} ORDER BY active_since DESC, id DESC`)
      .all({ since: query.since })
      .map(fromRow);
  }
}
