import type { Settings } from '../config/types.js';
import { MAX_COUNTER_LAG_MS } from '../store/sample-rows.js';
import { bucketStart } from './rollup.js';
import { CHUNK_MS, TIERS } from './tiers.js';

const DAY = 86_400_000;
const HOUR = TIERS['1h'].bucketMs;
const FIVE_MINUTES = TIERS['5m'].bucketMs;

/** Delivered or given-up mail (each holds its PNG charts) is kept this long after it was sent or given up. */
export const SENT_MAIL_KEEP_MS = 30 * DAY;
/** Resolved alerts stay in `metrix alerts` history this long after they resolved. */
export const RESOLVED_ALERTS_KEEP_MS = 365 * DAY;
/** Events (`metrix events`: host down/up, reboots, alerts, silences…) are kept this long. */
export const EVENTS_KEEP_MS = 365 * DAY;
/** Retention runs by itself at most this often (after a run, in execute and each cycle of run). */
export const MAINTENANCE_EVERY_MS = HOUR;

/** How long each kind of history is kept. */
export interface RetentionPolicy {
  readonly rawMs: number;
  readonly fiveMinuteMs: number;
  readonly hourlyMs: number;
  /** runs and polls rows; a host's latest poll and latest good one are always kept. */
  readonly pollsMs: number;
  readonly sentMailMs: number;
  readonly resolvedAlertsMs: number;
  readonly eventsMs: number;
}

export function policyOf(settings: Settings): RetentionPolicy {
  return {
    rawMs: settings.retentionMs,
    fiveMinuteMs: settings.rollupRetentionMs,
    hourlyMs: settings.hourlyRetentionMs,
    pollsMs: settings.retentionMs,
    sentMailMs: SENT_MAIL_KEEP_MS,
    resolvedAlertsMs: RESOLVED_ALERTS_KEEP_MS,
    eventsMs: EVENTS_KEEP_MS,
  };
}

/** What one host's tiers hold (the store's `tiers` row): see tiers.ts Coverage. */
export interface TierState {
  readonly rawFrom: number;
  readonly m5From: number;
  readonly m5To: number;
  readonly h1From: number;
  readonly h1To: number;
}

export const EMPTY_TIERS: TierState = { rawFrom: 0, m5From: 0, m5To: 0, h1From: 0, h1To: 0 };

/**
 * Where each step of retention should bring a host at `now`, given what it holds. Pure. Each
 * step is bounded by what the steps before it have done (asked again after each of them):
 * - 5-minute buckets are built once no sample can still arrive for them: counters are stored
 *   up to MAX_COUNTER_LAG_MS before their row, so buckets that end that long ago are final.
 * - Hourly buckets are built from whole hours of built 5-minute ones.
 * - Raw samples go once past `retention` and rolled up; 5-minute buckets once past their
 *   retention and built into hours; hourly ones past theirs. Raw samples are cut on an hour,
 *   roll-ups on their chunks (CHUNK_MS, whole days), so each tier ends where the next one's
 *   buckets start.
 * Nothing moves backwards: a longer retention keeps what is left, it cannot bring back the rest.
 */
export function targets(now: number, policy: RetentionPolicy, state: TierState): TierState {
  return {
    m5To: Math.max(state.m5To, bucketStart(now - MAX_COUNTER_LAG_MS, FIVE_MINUTES)),
    h1To: Math.max(state.h1To, bucketStart(state.m5To, HOUR)),
    rawFrom: Math.max(state.rawFrom, Math.min(bucketStart(now - policy.rawMs, HOUR), bucketStart(state.m5To, HOUR))),
    m5From: Math.max(state.m5From, bucketStart(Math.min(now - policy.fiveMinuteMs, state.h1To), CHUNK_MS['5m'])),
    h1From: Math.max(state.h1From, bucketStart(now - policy.hourlyMs, CHUNK_MS['1h'])),
  };
}

/** Whether retention should run by itself now: never yet, or its last complete pass is an hour old. */
export function maintenanceDue(lastDoneAt: number | undefined, now: number): boolean {
  return lastDoneAt === undefined || now - lastDoneAt >= MAINTENANCE_EVERY_MS || now < lastDoneAt;
}
