import type { CompareOp, Severity } from '../config/types.js';
import type { Labels } from '../metrics/labels.js';

export interface Point {
  readonly ts: number;
  readonly value: number;
}

/** One alert (a rule on one series) as a notification shows it. */
export interface AlertView {
  /** Short unique code, e.g. "2611-CPU-f4a"; shown in the mail and in `metrix alerts`. */
  readonly code: string;
  readonly rule: string;
  readonly metric: string;
  readonly host: string;
  readonly labels: Labels;
  readonly op: CompareOp;
  readonly limit: number;
  /** The hysteresis level, when the rule has one: drawn dashed on the chart. */
  readonly clear?: number;
  /** The value the decision was made on: average over the window, or the last sample. */
  readonly value: number;
  /** Averaging window, ms; 0 = last sample. */
  readonly windowMs: number;
  readonly severity: Severity;
  readonly state: 'firing' | 'resolved';
  /** When the condition started to hold (pending began), ms. */
  readonly activeSince: number;
  /** When it resolved, ms; only for state 'resolved'. */
  readonly resolvedAt?: number;
  /** True when this is a reminder of an alert already notified (`repeat`). */
  readonly reminder: boolean;
  /** The series over the recent past, oldest first: the chart and the CSV attachment. */
  readonly samples: readonly Point[];
  /** Text from the host behind the value: a check's output line, a log's matching lines. */
  readonly detail?: AlertDetail;
}

/** Lines of host text shown under an alert's rows (untrusted: made one-line and escaped when shown). */
export interface AlertDetail {
  readonly label: string;
  readonly lines: readonly string[];
}

/** Hosts that could not be polled: their other alerts are held back and the mail says so. */
export interface HostDownView {
  readonly host: string;
  readonly since: number;
  readonly reason: string;
}

/** A host's recent events, shown as context in an alert mail (oldest first). */
export interface HostEventsView {
  readonly host: string;
  readonly events: ReadonlyArray<{ readonly ts: number; readonly kind: string; readonly severity: Severity; readonly text: string }>;
}

/** One message to one recipient list, grouping everything a run has to say to it. */
export interface Notification {
  /** Stable across retries: the Message-ID is made from it, so a resend is recognisable. */
  readonly id: string;
  readonly to: readonly string[];
  readonly createdAt: number;
  readonly alerts: readonly AlertView[];
  readonly hostsDown: readonly HostDownView[];
  /** The recent events of the hosts named above; absent or empty: no section. */
  readonly events?: readonly HostEventsView[];
}
