import type { Io } from '../cli/io.js';
import { MetrixError } from '../errors.js';

export interface RunOptions {
  readonly config: string;
  readonly host: readonly string[];
  readonly group: readonly string[];
  /** Cycle length, e.g. "60s". */
  readonly every: string;
  readonly wait: string;
}

/** `metrix run`: stay up and poll on a schedule over warm connections. */
export async function run(_options: RunOptions, _io: Io): Promise<number> {
  throw new MetrixError('INTERNAL', 'metrix run is not built yet');
}
