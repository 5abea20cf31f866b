/**
 * When the cycles of `metrix run` start: on wall-clock multiples of the interval, like cron
 * minutes, so every poller with the same --every polls at the same instants and a chart's
 * points line up. Pure: the clock is the caller's.
 */

/** The first boundary strictly after `now`. */
export function nextBoundary(now: number, everyMs: number): number {
  return (Math.floor(now / everyMs) + 1) * everyMs;
}

export interface NextCycle {
  /** When the next cycle starts. */
  readonly at: number;
  /** Boundaries that passed while the cycle ran: cycles that will not happen (0 when on time). */
  readonly skipped: number;
}

/**
 * The cycle that began at `startedAt` ended at `now`: the next one starts at the boundary
 * after its start, or, when the cycle overran it, at the first boundary still ahead (a cycle
 * never overlaps the one before, and missed cycles are not made up in a burst).
 */
export function nextCycle(startedAt: number, now: number, everyMs: number): NextCycle {
  const planned = nextBoundary(startedAt, everyMs);
  if (now < planned) return { at: planned, skipped: 0 };
  const at = nextBoundary(now, everyMs);
  return { at, skipped: Math.round((at - planned) / everyMs) };
}
