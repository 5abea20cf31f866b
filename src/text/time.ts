// The one place a time becomes text: logs, tables, CSV, JSON and mail all write UTC ISO 8601.

/** The largest time a JavaScript Date can hold (±100,000,000 days from 1970). */
export const MAX_DATE_MS = 8.64e15;

const representable = (ms: number): boolean => Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS;

/** `2026-11-22T04:00:00.412Z`; "invalid" for what no Date can hold, instead of a RangeError. */
export function formatUtcMs(ms: number): string {
  return representable(ms) ? new Date(ms).toISOString() : 'invalid';
}

/** `2026-11-22T04:00:00Z`: to the second, for people; "invalid" as above. */
export function formatUtc(ms: number): string {
  return representable(ms) ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : 'invalid';
}

/** `2026-11-22T04:00:00Z`, or `…:00.412Z` when the milliseconds are not zero (CSV and JSON keep them). */
export function formatUtcExact(ms: number): string {
  return formatUtcMs(ms).replace(/\.000Z$/, 'Z');
}
