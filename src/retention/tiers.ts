/**
 * The tiers history is kept in, and which one a query reads for each part of its range.
 * Pure: the store says what each tier of a host holds (Coverage); planTiers says where to
 * read, so that a range spanning tiers joins them without a gap or a point counted twice.
 */
export type TierName = 'raw' | '5m' | '1h';
export type RollupTier = Exclude<TierName, 'raw'>;

export interface TierSpec {
  readonly name: TierName;
  /** 0 for raw samples. */
  readonly bucketMs: number;
  /** How the tier is named to users. */
  readonly title: string;
}

export const TIERS: Readonly<Record<TierName, TierSpec>> = {
  raw: { name: 'raw', bucketMs: 0, title: 'raw samples' },
  '5m': { name: '5m', bucketMs: 5 * 60_000, title: '5-minute roll-ups' },
  '1h': { name: '1h', bucketMs: 60 * 60_000, title: 'hourly roll-ups' },
};

export const ROLLUP_TIERS: readonly RollupTier[] = ['5m', '1h'];

/**
 * A roll-up row holds one series over a chunk of this length (aligned to the epoch): 144
 * buckets either way, a kilobyte or two, so a month of one series is a few dozen rows.
 * Retention removes whole chunks.
 */
export const CHUNK_MS: Readonly<Record<RollupTier, number>> = { '5m': 12 * 3_600_000, '1h': 6 * 86_400_000 };

/** What one host's tiers hold: raw samples from `rawFrom` on; each roll-up, buckets starting in [from, to). */
export interface Coverage {
  readonly rawFrom: number;
  readonly rollups: Readonly<Record<RollupTier, { readonly from: number; readonly to: number }>>;
}

/** Read `tier` for times in [from, to): raw samples at those times, or the buckets that start then. */
export interface Segment {
  readonly tier: TierName;
  readonly from: number;
  readonly to: number;
}

/**
 * The order tiers are preferred in. Without a step, the finest first. With a step, the
 * coarsest roll-up whose buckets tile the step exactly (fewer rows to read, same answer), then
 * finer ones, then raw; coarser buckets than the step come last, where nothing finer is left.
 */
export function preference(stepMs: number | undefined): TierName[] {
  const all: TierName[] = ['raw', '5m', '1h'];
  if (stepMs === undefined) return all;
  const tiles = (tier: TierName): boolean => tier === 'raw' || (TIERS[tier].bucketMs <= stepMs && stepMs % TIERS[tier].bucketMs === 0);
  return [...all.filter(tiles).reverse(), ...all.filter((tier) => !tiles(tier))];
}

function covers(coverage: Coverage, tier: TierName, from: number, to: number): boolean {
  if (tier === 'raw') return from >= coverage.rawFrom;
  const { from: start, to: end } = coverage.rollups[tier];
  return from >= start && to <= end && start < end;
}

/**
 * Splits [since, until] (both included: the last segment ends at until + 1) into segments,
 * each read from the most preferred tier that holds all of it. Tier edges are bucket boundaries (the store keeps them so), so the buckets of one
 * segment end where the next segment's data starts. Parts no tier holds are left out.
 */
export function planTiers(since: number, until: number, stepMs: number | undefined, coverage: Coverage): Segment[] {
  const end = until + 1;
  const edges = new Set([since, end]);
  for (const edge of [coverage.rawFrom, ...ROLLUP_TIERS.flatMap((tier) => [coverage.rollups[tier].from, coverage.rollups[tier].to])]) {
    if (edge > since && edge < end) edges.add(edge);
  }
  const points = [...edges].sort((a, b) => a - b);
  const order = preference(stepMs);
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [from, to] = [points[i]!, points[i + 1]!];
    const tier = order.find((name) => covers(coverage, name, from, to));
    if (tier === undefined) continue;
    const last = segments[segments.length - 1];
    if (last && last.tier === tier && last.to === from) segments[segments.length - 1] = { tier, from: last.from, to };
    else segments.push({ tier, from, to });
  }
  return segments;
}
