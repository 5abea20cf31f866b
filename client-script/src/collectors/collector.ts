import { readFileSync } from 'fs';
import { join } from 'path';
import type { CollectorError, Sample } from '../protocol.js';

/** Where the collectors look and how far they may wait; the command line fills it in. */
export interface CollectContext {
  /** Root of the proc filesystem, /proc unless tests point it at a fixture tree. */
  readonly procRoot: string;
  readonly sysRoot: string;
  /** Program and leading arguments of the statfs helper; the mount point is appended. */
  readonly statfsCommand: readonly string[];
  readonly statfsTimeoutMs: number;
  /** The PATH searched for optional tools such as nvidia-smi. */
  readonly searchPath: string;
  /** File where the collector keeps what it must remember between polls (see --state). */
  readonly statePath: string;
}

export interface Readings {
  readonly gauges: Sample[];
  readonly counters: Sample[];
  /** Partial failures, e.g. one mount that timed out while the others answered. */
  readonly errors: CollectorError[];
}

/**
 * One source of metrics, in the node_exporter style: `collect` does the I/O through a
 * `readX` function and hands the text to a pure `parseX`. A throw from `collect` fails
 * this collector only; the report still carries all the others.
 */
export interface Collector {
  readonly name: string;
  /** True when it reports counters, so a warm-up reads it a second time for the baseline. */
  readonly readsCounters: boolean;
  collect(ctx: CollectContext): Promise<Readings>;
}

export function readings(gauges: Sample[], counters: Sample[] = [], errors: CollectorError[] = []): Readings {
  return { gauges, counters, errors };
}

export function sample(m: string, v: number, l?: Record<string, string>): Sample {
  return l === undefined ? { m, v } : { m, v, l };
}

/** Percentages are kept to two decimals: alert limits are whole numbers and the payload stays small. */
export function percent(part: number, whole: number): number {
  return Math.round((part / whole) * 10000) / 100;
}

export function readProcFile(root: string, relative: string): string {
  return readFileSync(join(root, relative), 'utf8');
}

/** Parses a whole non-negative decimal number from /proc text, or throws naming the field. */
export function toCount(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new Error(`bad ${what}: ${JSON.stringify(text)}`);
  return Number(text);
}

/** A whole non-negative decimal number, or undefined for anything else: for fields a kernel may lack or garble. */
export function optionalCount(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** True for the errors that mean "this kernel has no such file", which is no error for optional readings. */
export function isMissingFile(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null | undefined) && (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EOPNOTSUPP' || code === 'ENOTSUP';
}

export function toDecimal(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d+(\.\d+)?$/.test(text)) throw new Error(`bad ${what}: ${JSON.stringify(text)}`);
  return Number(text);
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
