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

/**
 * The wait between cycles: until the clock reaches the next start, in slices (so a fake
 * clock in tests and a stop both end it), cut short by `wake`. A clock stepped backwards by
 * more than a cycle (NTP after a VM resumed) does not stall polling: the wait is taken again
 * from the new time.
 */
export class Wakeup {
  #wake: (() => void) | undefined;

  /** Ends the wait under way, if any. */
  now(): void {
    this.#wake?.();
  }

  async sleepUntil(at: number, everyMs: number, clock: () => number, sleep: (ms: number) => Promise<void>): Promise<void> {
    let woken = false;
    const wake = new Promise<void>((resolve) => (this.#wake = resolve)).then(() => (woken = true));
    let target = at;
    while (!woken && clock() < target) {
      if (target - clock() > everyMs) target = nextBoundary(clock(), everyMs);
      await Promise.race([sleep(Math.min(target - clock(), 1000)), wake]);
    }
    this.#wake = undefined;
  }
}
