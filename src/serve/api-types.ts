/**
 * The shapes of `metrix serve`'s JSON API (`/api/v1/…`), in one place: the web pages
 * (src/web) and scripts read these, so they stay stable once published. Times named `…At`,
 * `since`, `until`, `from`, `to` and the first element of a point are Unix milliseconds;
 * the host rows keep the ISO text of `metrix hosts --format json` (they are that output).
 *
 * Every error, whatever the route: status 4xx/5xx and body `{ error: { code, message } }`.
 * Text that came from a host (names, labels, mounts, messages) is data: JSON-encoded here,
 * never HTML; a page must put it in the DOM as text.
 */
import type { Labels } from '../metrics/labels.js';

export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'not_acceptable'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'too_many_requests'
  | 'misdirected'
  | 'unavailable'
  | 'internal';

export interface ApiError {
  readonly error: { readonly code: ErrorCode; readonly message: string };
}

export type Role = 'viewer' | 'admin';

/**
 * `POST /api/v1/session` with JSON `{user, password}` → 200 SessionInfo and a session cookie
 * (HttpOnly, SameSite=Strict, Secure under TLS); 401 on a wrong user or password; 429 with
 * Retry-After after too many failures. `GET /api/v1/session` → 200 SessionInfo or 401.
 * `DELETE /api/v1/session` → 204, cookie cleared. Every later POST/DELETE made with the
 * cookie must send header `X-CSRF-Token: <csrfToken>`.
 */
export interface SessionInfo {
  readonly user: string;
  readonly role: Role;
  /** Echo in the X-CSRF-Token header of every state-changing request made with the cookie. */
  readonly csrfToken: string;
  /** When the session ends unless renewed by use. */
  readonly expiresAt: number;
}

/** A firing alert of a host row, as `metrix hosts --format json` prints it. */
export interface HostRowAlert {
  readonly code: string;
  readonly rule: string;
  readonly metric: string;
  readonly labels: Labels;
  readonly severity: string;
  readonly value: number;
  /** ISO 8601 UTC. */
  readonly firing_since: string;
  /** Why it is not mailed (a silence), or null. */
  readonly muted: string | null;
}

/** One host, as a row of `metrix hosts --format json`. */
export interface HostRow {
  readonly host: string;
  readonly groups: readonly string[];
  readonly state: 'up' | 'down' | 'never polled';
  /** Why the latest poll failed (unreachable, auth, …), when down. */
  readonly reason: string | null;
  readonly message: string | null;
  readonly warnings: string | null;
  /** ISO 8601 UTC, or null. */
  readonly last_seen: string | null;
  readonly last_poll: string | null;
  readonly cpu_percent: number | null;
  readonly mem_percent: number | null;
  readonly disk_used_percent: number | null;
  readonly disk_mount: string | null;
  readonly load1: number | null;
  readonly alerts: readonly HostRowAlert[];
}

/**
 * `GET /api/v1/hosts` (viewer): every configured host, problems first (down, then up with
 * firing alerts, then the rest; by name within). CSV: the columns of `metrix hosts --format csv`.
 */
export interface HostsResponse {
  /** ISO 8601 UTC: when the server read the database. */
  readonly generatedAt: string;
  readonly hosts: readonly HostRow[];
}

export type BarState = 'up' | 'down' | 'alerting' | 'unknown';

export interface StateSegment {
  readonly from: number;
  readonly to: number;
  readonly state: BarState;
}

/** The last 24 h of a host as one bar: contiguous segments from `since` to `until`. */
export interface StateBar {
  readonly since: number;
  readonly until: number;
  readonly segments: readonly StateSegment[];
}

/**
 * `GET /api/v1/hosts/:name` (viewer): one host's row, every series stored for it (what the host
 * page charts: read each with /api/v1/query; `counter` marks the raw counters behind the rates),
 * and its state bar of the last 24 h. 404 for a
 * host not in the config. CSV: the host's row alone, in the columns of /api/v1/hosts.
 */
export interface HostResponse {
  readonly generatedAt: string;
  readonly host: HostRow;
  readonly series: ReadonlyArray<{ readonly metric: string; readonly labels: Labels; readonly counter: boolean }>;
  readonly stateBar: StateBar;
}

export interface QueryTier {
  /** `raw`, `5m` or `1h`. */
  readonly tier: string;
  readonly from: number;
  readonly to: number;
}

/**
 * `GET /api/v1/query?host=H&metric=M[&labels=k=v,…][&since=1h][&until=now][&step=5m][&agg=avg]`
 * (viewer): the semantics of `metrix query` (same time forms, step range and aggregations).
 * `tiers` says which store tier gave which part of the range. At most MAX_QUERY_POINTS points
 * per series: a range that would give more without a step is read with the coarsest step
 * that fits (`step` then says which, and `notes` says so). At most MAX_QUERY_SERIES series and
 * MAX_QUERY_ANSWER_POINTS points in all: a coarser step without `step` (noted), 413 with one. 400 on a bad parameter (the message
 * names it), 404 for a host not in the config. CSV: `time,host,metric,labels,value`, as
 * `metrix query --format csv`.
 */
export interface QueryResponse {
  readonly host: string;
  readonly metric: string;
  readonly since: number;
  readonly until: number;
  /** ms; null when raw points are returned. */
  readonly step: number | null;
  readonly agg: string;
  readonly tiers: readonly QueryTier[];
  /** Plain sentences about the tiers or a step picked for the cap; may be empty. */
  readonly notes: readonly string[];
  readonly series: ReadonlyArray<{
    readonly host: string;
    readonly metric: string;
    readonly labels: Labels;
    /** [ms, value], oldest first. */
    readonly points: ReadonlyArray<readonly [number, number]>;
  }>;
}

/** An alert of the history, as `metrix alerts --format json` prints it (times in ms). */
export interface AlertItem {
  readonly code: string;
  readonly rule: string;
  readonly host: string;
  readonly metric: string;
  readonly labels: Labels;
  readonly severity: string;
  readonly state: 'pending' | 'firing' | 'resolved';
  readonly value: number;
  readonly activeSince: number;
  readonly firingSince?: number;
  readonly clearingSince?: number;
  readonly resolvedAt?: number;
  readonly notifiedAt?: number;
  readonly muted?: string;
}

/**
 * `GET /api/v1/alerts[?state=firing|pending|resolved|all][&since=7d]` (viewer; default all,
 * 7d): newest first; `since` as for `metrix alerts` (firing ones always included with
 * `all`). CSV: the columns of `metrix alerts --format csv`.
 */
export interface AlertsResponse {
  readonly alerts: readonly AlertItem[];
}

export interface SilenceItem {
  readonly id: number;
  /** Absent: every host / every rule. */
  readonly host?: string;
  readonly rule?: string;
  readonly labels: Labels;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly comment: string;
  readonly createdBy: string;
}

/** `GET /api/v1/silences` (viewer): silences in force or yet to start, as `metrix silence list`. */
export interface SilencesResponse {
  readonly silences: readonly SilenceItem[];
}

/**
 * `POST /api/v1/silences` (admin; JSON): the checks of `metrix silence add`: host and/or
 * rule known to the config, exactly one of `for` ("2h") or `until` (a time as `--until`
 * takes), a comment. `labels` as "mount=/scratch,fs=ext4". 201 `{silence: SilenceItem}`;
 * 400 with every problem in the message. `createdBy` is the signed-in user.
 * `DELETE /api/v1/silences/:id` (admin) ends it now: 200 `{silence: {id}}`, 404 when no such
 * current silence.
 */
export interface NewSilenceRequest {
  readonly host?: string;
  readonly rule?: string;
  readonly labels?: string;
  readonly for?: string;
  readonly until?: string;
  readonly comment: string;
}

export interface SilenceCreated {
  readonly silence: SilenceItem;
}

/** An event, as `metrix events --json` prints it. */
export interface EventItem {
  readonly id: number;
  /** ISO 8601 UTC, to the millisecond. */
  readonly time: string;
  readonly ts: number;
  /** null: an event of no host in particular (a silence of a rule, on every host). */
  readonly host: string | null;
  /** One of the kinds of `metrix events --kind` (src/store/event-store.ts EVENT_KINDS). */
  readonly kind: string;
  readonly severity: 'info' | 'warning' | 'critical';
  /** One line for people; may quote a host (control characters escaped, capped): text, never HTML. */
  readonly text: string;
  /** Flat facts for programs (reason, code, versions…). */
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * `GET /api/v1/events[?host=H][&group=G][&kind=K[,K…]][&since=1d][&until=now][&limit=N]`
 * (viewer): `metrix events` with the same parameters and checks (host, group and kind
 * repeatable, kind also a comma list; with host or group, the fleet-wide events come too),
 * oldest first. At most MAX_API_EVENTS: without a limit, when more match, the newest of them
 * and `truncated: true`; a larger limit is a 400. CSV: the columns of `metrix events --format csv`.
 */
export interface EventsResponse {
  readonly events: readonly EventItem[];
  /** More events matched than were sent (only the newest MAX_API_EVENTS were). */
  readonly truncated: boolean;
}

/** Most events one /api/v1/events answer carries. */
export const MAX_API_EVENTS = 10_000;

/** Most points one series of /api/v1/query returns (Prometheus' own limit per series). */
export const MAX_QUERY_POINTS = 11_000;
/** Most series one answer of /api/v1/query holds: a host may store thousands of one metric. */
export const MAX_QUERY_SERIES = 500;
/** Most points one answer of /api/v1/query holds, all series together (~7 MB of JSON). */
export const MAX_QUERY_ANSWER_POINTS = 200_000;

/** Page routes (no auth: they hold no data, every figure comes from the API). */
export const PAGES = {
  '/': 'overview.html',
  '/alerts': 'alerts.html',
  '/login': 'login.html',
  '/host/:name': 'host.html',
} as const;
