const MINUTE = 60_000;
const MAX_BACKOFF_MS = 60 * MINUTE;

/** When to try a message again after its `attempts`-th failure: 1, 2, 4 … minutes, at most an hour. */
export function nextAttemptAt(now: number, attempts: number): number {
  return now + Math.min(MAX_BACKOFF_MS, MINUTE * 2 ** Math.max(0, attempts - 1));
}
