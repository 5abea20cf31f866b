import type { CompareOp } from '../config/types.js';
import type { Point } from './types.js';

/** A last-sample rule ignores a sample older than this: the series is gone, not still at its old value. */
export const STALE_AFTER_MS = 5 * 60_000;

const COMPARE: Readonly<Record<CompareOp, (value: number, limit: number) => boolean>> = {
  '>': (v, l) => v > l,
  '>=': (v, l) => v >= l,
  '<': (v, l) => v < l,
  '<=': (v, l) => v <= l,
  '==': (v, l) => v === l,
  '!=': (v, l) => v !== l,
};

export function compare(value: number, op: CompareOp, limit: number): boolean {
  return COMPARE[op](value, limit);
}

/**
 * The value a rule decides on at `now`: the mean of the samples in (now − window, now],
 * or with no window the last sample if it is not stale. Undefined when there is none.
 */
export function windowValue(points: readonly Point[], windowMs: number, now: number): number | undefined {
  if (windowMs === 0) {
    const last = points.filter((p) => p.ts <= now).at(-1);
    return last && now - last.ts <= STALE_AFTER_MS ? last.value : undefined;
  }
  const inWindow = points.filter((p) => p.ts > now - windowMs && p.ts <= now);
  if (inWindow.length === 0) return undefined;
  return inWindow.reduce((sum, p) => sum + p.value, 0) / inWindow.length;
}

/** How far back a rule needs samples to decide: its window, or the staleness limit. */
export function lookbackMs(windowMs: number): number {
  return Math.max(windowMs, STALE_AFTER_MS);
}
