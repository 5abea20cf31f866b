import { matchesLabels, type Labels } from '../metrics/labels.js';
import { formatUtc, MAX_DATE_MS } from '../text/time.js';

/** A maintenance window: alerts it matches are recorded but not mailed until it ends. */
export interface Silence {
  readonly id: number;
  /** Host it applies to; undefined = every host. */
  readonly host: string | undefined;
  /** Rule it applies to; undefined = every rule. */
  readonly rule: string | undefined;
  readonly labels: Labels;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly comment: string;
  readonly createdBy: string;
}

export interface Silenceable {
  readonly host: string;
  readonly rule: string;
  readonly labels: Labels;
}

export function silenceMatches(silence: Silence, alert: Silenceable, now: number): boolean {
  return (
    silence.startsAt <= now &&
    now < silence.endsAt &&
    (silence.host === undefined || silence.host === alert.host) &&
    (silence.rule === undefined || silence.rule === alert.rule) &&
    matchesLabels(alert.labels, silence.labels)
  );
}

/** The first silence muting the alert at `now`, if any. */
export function findSilence(silences: readonly Silence[], alert: Silenceable, now: number): Silence | undefined {
  return silences.find((silence) => silenceMatches(silence, alert, now));
}

/** The longest silence `metrix silence add` accepts: a maintenance window, not a way to switch a rule off. */
export const MAX_SILENCE_MS = 365 * 86_400_000;

/**
 * A silence's start or end as UTC text. A time stored before silences were bounded may lie
 * beyond what a Date can hold: it reads "never" (an end that never comes), or "invalid"
 * when it is not a time at all, instead of throwing a RangeError.
 */
export function silenceTime(ms: number): string {
  if (Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS) return formatUtc(ms);
  return ms > MAX_DATE_MS ? 'never' : 'invalid';
}
