import type { Severity } from '../config/types.js';
import { truncate } from '../mail/format.js';
import { escapeControl } from '../text/escape.js';
import type { Db } from './database.js';

/**
 * What can happen, one closed list: the table stores the name, `metrix events --kind` and the
 * web API accept these and nothing else. Add a kind here (no migration needed: the column is
 * text, checked by add()).
 */
export const EVENT_KINDS = [
  'host_down',
  'host_up',
  'reboot',
  'collector_upgraded',
  'check_changed',
  'log_matched',
  'alert_firing',
  'alert_resolved',
  'silence_added',
  'silence_ended',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

export const isEventKind = (name: string): name is EventKind => (EVENT_KINDS as readonly string[]).includes(name);

/** Event text is capped here (characters, after control characters are escaped): it may quote a host. */
export const MAX_EVENT_TEXT = 500;
/** Each string inside details is capped at this many characters, the whole JSON at MAX_DETAILS_JSON. */
export const MAX_DETAIL_STRING = 300;
export const MAX_DETAILS_JSON = 4096;

export type EventDetails = Readonly<Record<string, string | number | boolean | null>>;

/** An event as a caller reports it. */
export interface NewEvent {
  /** ms since the epoch, poller clock. */
  readonly ts: number;
  /** The host it happened on; undefined for what concerns the whole fleet (a silence on a rule). */
  readonly host: string | undefined;
  readonly kind: EventKind;
  readonly severity: Severity;
  /** One line for people, e.g. "down: unreachable: connect ECONNREFUSED". */
  readonly text: string;
  /** Facts for programs (reason, old and new versions, alert code…); flat, small. */
  readonly details?: EventDetails;
}

/** An event as stored. */
export interface EventRecord extends NewEvent {
  readonly id: number;
  readonly details: EventDetails;
}

export interface EventQuery {
  /** Only these hosts' events (plus fleet-wide ones when `fleet`); all hosts when undefined. */
  readonly hosts?: readonly string[];
  /** With `hosts`: also the events that concern no host in particular. */
  readonly fleet?: boolean;
  readonly kinds?: readonly EventKind[];
  /** Inclusive bounds, ms. */
  readonly since?: number;
  readonly until?: number;
  /** At most this many: the newest ones. */
  readonly limit?: number;
}

interface Row {
  id: number;
  ts: number;
  host: string | null;
  kind: EventKind;
  severity: Severity;
  text: string;
  details: string;
}

const fromRow = (row: Row): EventRecord => ({
  id: row.id,
  ts: row.ts,
  host: row.host ?? undefined,
  kind: row.kind,
  severity: row.severity,
  text: row.text,
  details: JSON.parse(row.details) as EventDetails,
});

/** Control characters escaped, then cut to `max` characters with an ellipsis. */
export function capText(text: string, max: number): string {
  return truncate(escapeControl(text), max);
}

/** Details as stored: strings capped and escaped, non-finite numbers dropped, the whole bounded. */
export function detailsJson(details: EventDetails | undefined): string {
  if (!details) return '{}';
  const clean: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(details).slice(0, 32)) {
    const name = capText(key, 64);
    if (typeof value === 'string') clean[name] = capText(value, MAX_DETAIL_STRING);
    else if (typeof value === 'number') clean[name] = Number.isFinite(value) ? value : null;
    else if (typeof value === 'boolean' || value === null) clean[name] = value;
  }
  const json = JSON.stringify(clean);
  return json.length <= MAX_DETAILS_JSON ? json : JSON.stringify({ omitted: `details over ${MAX_DETAILS_JSON} characters` });
}

const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

/**
 * The events table: one row per thing that happened, appended by the code that saw it
 * (store.writeRun for polls, alerts.save for alerts, silences for silences), inside that
 * code's transaction, so an event is stored exactly when what caused it is.
 */
export class EventStore {
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = db.prepare('INSERT INTO events (ts, host, kind, severity, text, details) VALUES (?, ?, ?, ?, ?, ?)');
  }

  /** Appends one event; runs inside the caller's transaction when there is one. Returns its id. */
  add(event: NewEvent): number {
    if (!isEventKind(event.kind)) throw new Error(`unknown event kind ${JSON.stringify(event.kind)}`);
    if (!SEVERITIES.includes(event.severity)) throw new Error(`unknown event severity ${JSON.stringify(event.severity)}`);
    const host = event.host === undefined ? null : capText(event.host, 255);
    const info = this.insert.run(Math.round(event.ts), host, event.kind, event.severity, capText(event.text, MAX_EVENT_TEXT), detailsJson(event.details));
    return Number(info.lastInsertRowid);
  }

  /** Events matching the query, oldest first (the newest `limit` of them when a limit is given). */
  list(query: EventQuery = {}): EventRecord[] {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (query.hosts !== undefined) {
      params['hosts'] = JSON.stringify(query.hosts);
      where.push(`(host IN (SELECT value FROM json_each(@hosts))${query.fleet ? ' OR host IS NULL' : ''})`);
    }
    if (query.kinds !== undefined) {
      params['kinds'] = JSON.stringify(query.kinds);
      where.push('kind IN (SELECT value FROM json_each(@kinds))');
    }
    if (query.since !== undefined) {
      params['since'] = query.since;
      where.push('ts >= @since');
    }
    if (query.until !== undefined) {
      params['until'] = query.until;
      where.push('ts <= @until');
    }
    const limit = query.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(query.limit))}`;
    const sql = `SELECT * FROM events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ts DESC, id DESC${limit}`;
    return this.db
      .prepare<Record<string, unknown>, Row>(sql)
      .all(params)
      .map(fromRow)
      .reverse();
  }
}
