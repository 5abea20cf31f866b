import type { Labels } from '../metrics/labels.js';
import { canonicalLabels, matchesLabels } from '../metrics/labels.js';
import { rollupValue, type RollupAggregation, type Stats } from '../retention/rollup.js';
import { planTiers, TIERS, type Coverage, type Segment, type TierName } from '../retention/tiers.js';
import type { Store } from '../store/store.js';
import { downsample, StepBuilder, type Aggregation } from './aggregate.js';

export interface HistoryQuery {
  readonly host: string;
  readonly metric: string;
  readonly since: number;
  readonly until: number;
  readonly stepMs: number | undefined;
  readonly agg: Aggregation;
  /** Only series with these labels (all when absent). */
  readonly labels?: Labels;
  /** Only the series whose canonical labels are in this set (the API's cap on series). */
  readonly only?: ReadonlySet<string>;
}

export interface HistoryPoint {
  readonly ts: number;
  readonly value: number;
  /** Where the value comes from: raw samples, or the coarsest roll-up behind it. */
  readonly tier: TierName;
}

export interface HistorySeries {
  readonly labels: Labels;
  readonly points: readonly HistoryPoint[];
}

export interface History {
  readonly series: readonly HistorySeries[];
  /** Which tier gave the points of which part of the range (parts that gave none are left out). */
  readonly segments: readonly Segment[];
  /** Roll-ups held this part of the range, but the aggregation needs raw samples: left out. */
  readonly leftOut: Segment | undefined;
}

/** An entry of one series before any step: a raw sample or a roll-up bucket, in time order. */
type Entry = { readonly ts: number; readonly tier: TierName } & ({ readonly value: number } | { readonly stats: Stats });

const canUseRollups = (agg: Aggregation): agg is RollupAggregation => agg === 'avg' || agg === 'min' || agg === 'max';
const NO_ROLLUPS = { '5m': { from: 0, to: 0 }, '1h': { from: 0, to: 0 } } as const;
const round = (value: number): number => Math.round(value * 1000) / 1000;

/**
 * One host's history of one metric over [since, until], read from whichever tiers hold it:
 * raw samples where they are kept (or where the step is finer than any roll-up), roll-ups
 * where the raw samples are gone or a coarse step is asked for. The tiers meet on bucket
 * boundaries, so nothing is missing or counted twice at a seam. The CLI's query and the API
 * call this one function.
 */
export function readHistory(store: Store, query: HistoryQuery): History {
  const coverage = store.coverage(query.host) ?? { rawFrom: 0, rollups: NO_ROLLUPS };
  // last and p95 need every sample: roll-ups keep min, max, sum and count only.
  const usable: Coverage = canUseRollups(query.agg) ? coverage : { rawFrom: coverage.rawFrom, rollups: NO_ROLLUPS };
  const segments = planTiers(query.since, query.until, query.stepMs, usable);
  const leftOut = canUseRollups(query.agg) ? undefined : rollupsOnly(query, coverage);
  const entries = new Map<string, { labels: Labels; entries: Entry[] }>();
  const used: Segment[] = [];
  const add = (labels: Labels, more: readonly Entry[]): void => {
    if (query.labels && !matchesLabels(labels, query.labels)) return;
    const key = canonicalLabels(labels);
    if (query.only && !query.only.has(key)) return;
    if (more.length > 0 && used[used.length - 1] !== current) used.push(current!);
    const found = entries.get(key);
    if (found) for (const entry of more) found.entries.push(entry);
    else entries.set(key, { labels, entries: more as Entry[] });
  };
  let current: Segment | undefined;
  for (const segment of segments) {
    current = segment;
    const { tier, from, to } = segment;
    const range = { host: query.host, metric: query.metric, since: from, until: to - 1 };
    if (tier === 'raw') {
      for (const series of store.range(range)) add(series.labels, series.points.map((p) => ({ ts: p.ts, value: p.value, tier })));
    } else {
      for (const series of store.rollupRange({ ...range, tier })) add(series.labels, series.buckets.map((b) => ({ ts: b.ts, tier, stats: b.stats })));
    }
  }
  const series = [...entries.values()]
    .sort((a, b) => (canonicalLabels(a.labels) < canonicalLabels(b.labels) ? -1 : 1))
    .map(({ labels, entries: list }) => ({ labels, points: pointsOf(list, query) }));
  return { series, segments: used, leftOut };
}

function pointsOf(entries: readonly Entry[], query: HistoryQuery): HistoryPoint[] {
  const { stepMs, agg } = query;
  if (!canUseRollups(agg)) {
    // Raw samples only (see readHistory).
    const points = entries.flatMap((e) => ('value' in e ? [{ ts: e.ts, value: e.value }] : []));
    return (stepMs ? downsample(points, stepMs, agg) : points).map((p) => ({ ts: p.ts, value: p.value, tier: 'raw' }));
  }
  if (stepMs === undefined) {
    return entries.map((e) => ('value' in e ? e : { ts: e.ts, value: round(rollupValue(e.stats, agg)), tier: e.tier }));
  }
  const steps = new StepBuilder(stepMs, agg);
  for (const e of entries) steps.add(e.ts, e.tier, 'value' in e ? { min: e.value, max: e.value, sum: e.value, count: 1 } : e.stats);
  return steps.done();
}

/** The part of the range only roll-ups hold (before the raw samples start), if any. */
function rollupsOnly(query: HistoryQuery, coverage: Coverage): Segment | undefined {
  // Planned with raw samples first, whatever the step: roll-ups only where those are gone.
  const segments = planTiers(query.since, query.until, undefined, coverage).filter((s) => s.tier !== 'raw');
  if (segments.length === 0) return undefined;
  return { tier: segments[0]!.tier, from: segments[0]!.from, to: segments[segments.length - 1]!.to };
}

/** Which tier covered which part, for a note beside the output; undefined when it was raw samples throughout. */
export function describeTiers(history: History, agg: Aggregation, format: (ms: number) => string): string[] {
  const notes: string[] = [];
  if (history.segments.some((s) => s.tier !== 'raw')) {
    const parts = history.segments.map((s) => `${TIERS[s.tier].title} from ${format(s.from)}`);
    notes.push(`read ${parts.join(', then ')}; roll-ups give the ${agg} of each bucket`);
  }
  if (history.leftOut) {
    notes.push(
      `--agg ${agg} needs raw samples, and before ${format(history.leftOut.to)} only roll-ups are kept (min, max, avg and count per bucket): ` +
        `that part is left out; --agg avg, min or max shows it`,
    );
  }
  return notes;
}
