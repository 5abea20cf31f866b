import type { CollectContext, Collector, Readings } from './collectors/collector.js';
import { describeError } from './collectors/collector.js';
import type { CollectorError, Sample } from './protocol.js';

/** Everything a Report carries apart from who made it and for which challenge. */
export interface Collected {
  /** When everything was collected: the report's own time. */
  readonly ts: number;
  /** When the counters were read; the slow gauge collectors may finish well after. */
  readonly countersAt: number;
  readonly gauges: Sample[];
  readonly counters: Sample[];
  readonly baseline?: { readonly ts: number; readonly counters: Sample[] };
  readonly errors: CollectorError[];
}

export interface CollectOptions {
  /** When above zero, counters are read once more this long before the real reading. */
  readonly warmupMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** A collector's throw becomes an entry in `errors`; it never takes the others down. */
function runSafely(collector: Collector, ctx: CollectContext): Promise<Readings> {
  let pending: Promise<Readings>;
  try {
    pending = collector.collect(ctx);
  } catch (err) {
    pending = Promise.reject(err);
  }
  return pending.then(
    (result) => result,
    (err: unknown) => ({ gauges: [], counters: [], errors: [{ collector: collector.name, message: describeError(err) }] }),
  );
}

async function readCounters(collectors: readonly Collector[], ctx: CollectContext, now: () => number): Promise<{ ts: number; results: Readings[] }> {
  const results = await Promise.all(collectors.map((c) => runSafely(c, ctx)));
  return { ts: now(), results };
}

/**
 * Runs every collector and merges their readings in collector order. The gauge collectors,
 * among them the slow statfs and nvidia-smi children, start first so their waiting overlaps
 * the warm-up; the counters are read last and timed on their own (`countersAt`), so the
 * poller's rates use the interval between counter readings, not between report ends.
 */
export async function collectAll(collectors: readonly Collector[], ctx: CollectContext, options: CollectOptions): Promise<Collected> {
  const counterReaders = collectors.filter((c) => c.readsCounters);
  const slow = new Map<Collector, Promise<Readings>>();
  for (const c of collectors) if (!c.readsCounters) slow.set(c, runSafely(c, ctx));

  let baseline: Collected['baseline'];
  if (options.warmupMs > 0) {
    const first = await readCounters(counterReaders, ctx, options.now);
    // Only the counters matter here; a collector that failed will say so in the real reading.
    baseline = { ts: first.ts, counters: concat(first.results.map((r) => r.counters)) };
    await options.sleep(options.warmupMs);
  }
  const final = await readCounters(counterReaders, ctx, options.now);
  const byCollector = new Map<Collector, Readings>();
  counterReaders.forEach((c, i) => byCollector.set(c, final.results[i]!));
  for (const c of collectors) {
    const pending = slow.get(c);
    if (pending !== undefined) byCollector.set(c, await pending);
  }

  const ordered = collectors.map((c) => byCollector.get(c)!);
  const collected: Collected = {
    ts: options.now(),
    countersAt: final.ts,
    gauges: concat(ordered.map((r) => r.gauges)),
    counters: concat(ordered.map((r) => r.counters)),
    errors: concat(ordered.map((r) => r.errors)),
  };
  return baseline === undefined ? collected : { ...collected, baseline };
}

// Array.prototype.flat is missing on Node < 11, which the collector still supports.
function concat<T>(lists: readonly T[][]): T[] {
  const all: T[] = [];
  for (const list of lists) for (const item of list) all.push(item);
  return all;
}
