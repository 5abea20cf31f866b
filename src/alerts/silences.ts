import { matchesLabels, type Labels } from '../metrics/labels.js';

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
