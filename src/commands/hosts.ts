import type { Io } from '../cli/io.js';
import { MetrixError } from '../errors.js';

export interface HostsOptions {
  readonly config: string;
  readonly host: readonly string[];
  readonly group: readonly string[];
  readonly format: 'table' | 'csv' | 'json';
  readonly json?: boolean;
}

/** `metrix hosts`: one line per host, problems first. */
export async function hosts(_options: HostsOptions, _io: Io): Promise<number> {
  throw new MetrixError('INTERNAL', 'metrix hosts is not built yet');
}
