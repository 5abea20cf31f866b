const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const UNITS: Readonly<Record<string, number>> = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY };

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

/**
 * The longest duration metrix accepts anywhere (100 years): added to any date of this
 * century it stays a valid JavaScript Date, so nothing downstream meets a RangeError.
 */
export const MAX_DURATION_MS = 36_500 * DAY;

/** The longest delay Node's setTimeout honours (2^31-1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Bounds of one duration setting; `zero` also allows exactly 0, whatever `min` is. */
export interface DurationRange {
  readonly min: number;
  readonly max: number;
  readonly zero?: boolean;
  /** Why a value below `min` cannot work, said instead of a bare "out of range". */
  readonly below?: string;
}

export type DurationCheck = { readonly value: number } | { readonly error: string };

/** Parses `30s`, `5m`, `2h`, `7d`, `1w`, `250ms` into milliseconds; undefined when malformed or longer than MAX_DURATION_MS. */
export function parseDuration(text: string): number | undefined {
  const ms = parseUnbounded(text);
  return ms !== undefined && ms <= MAX_DURATION_MS ? ms : undefined;
}

/**
 * Parses a duration and checks it against its range; the error says what is allowed.
 * `0` without a unit is read as zero.
 */
export function checkDuration(text: string, range: DurationRange): DurationCheck {
  const value = text.trim() === '0' ? 0 : parseUnbounded(text);
  if (value === undefined) return { error: `not a duration (expected ${DURATION_HELP})` };
  if (value === 0 && range.zero) return { value };
  if (value === 0) return { error: `must be longer than 0 (allowed: ${formatRange(range)})` };
  if (value < range.min && range.below) return { error: `${range.below} (allowed: ${formatRange(range)})` };
  if (value < range.min || value > range.max) return { error: `out of range (allowed: ${formatRange(range)})` };
  return { value };
}

/** `1s..1h`, or `0, or 1m..7d` when zero is allowed too. */
export function formatRange(range: DurationRange): string {
  const span = `${range.min === 0 ? '0' : formatDuration(range.min)}..${formatDuration(range.max)}`;
  return range.zero && range.min > 0 ? `0, or ${span}` : span;
}

function parseUnbounded(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * (UNITS[match[2]!] ?? NaN);
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', DAY], ['h', HOUR], ['m', MINUTE], ['s', SECOND]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${ms}ms`;
}

export const DURATION_HELP = 'a number with a unit: 250ms, 30s, 5m, 2h, 7d, 1w';

/** Ranges shared by the config and the CLI, so a bound is said once. */
export const DURATION_RANGES = {
  /** Network and command deadlines: they become timers, so they stay far below MAX_TIMER_MS. */
  timeout: { min: SECOND, max: HOUR },
  /** retention, rollupRetention, hourlyRetention: how long each tier of history is kept. */
  retention: { min: HOUR, max: 20 * 365 * DAY },
  giveUpAfter: { min: MINUTE, max: 365 * DAY },
  /**
   * An averaging window must be able to hold a sample: polls come at most once a minute
   * (cron's period), so anything shorter can stay empty and the rule would never fire.
   */
  window: {
    min: MINUTE,
    max: 7 * DAY,
    zero: true,
    below: 'too short to hold a sample: hosts are polled at most once a minute, so the window would stay empty and the rule never fire; use 0 to decide on the last sample',
  },
  /** for and keepFiringFor: 0 means at once. */
  hold: { min: 0, max: 30 * DAY, zero: true },
  repeat: { min: MINUTE, max: 365 * DAY },
  /** How long `execute --wait` waits for a previous run. */
  wait: { min: 0, max: HOUR, zero: true },
  /** `run --every`: from a few polls a minute to one a day. */
  every: { min: SECOND, max: DAY },
  /** `query --step`. */
  step: { min: SECOND, max: 365 * DAY },
  /** <heartbeat every>: 0 pings after every good run. */
  heartbeatEvery: { min: SECOND, max: DAY, zero: true },
  /** <heartbeat timeout>: the whole ping, redirects included; short, since the run waits for it. */
  heartbeatTimeout: { min: SECOND, max: MINUTE },
  /** <remoteWrite timeout>: one request; the run waits for it, so at most a minute. */
  remoteWriteTimeout: { min: SECOND, max: MINUTE },
  /** <check every>: from every poll to once a day. */
  checkEvery: { min: SECOND, max: DAY },
  /** <check timeout>: also below the poll's commandTimeout (config/rules.ts). */
  checkTimeout: { min: SECOND, max: 10 * MINUTE },
} as const satisfies Readonly<Record<string, DurationRange>>;
