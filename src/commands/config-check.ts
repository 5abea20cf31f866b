import { formatConfig } from '../config/format.js';
import { loadConfig } from '../config/load.js';
import type { Io } from '../cli/io.js';

/** `metrix config check`: load and validate, then print the config as metrix resolved it. */
export function configCheck(options: { readonly config: string }, io: Io): number {
  const config = loadConfig(options.config);
  io.out(formatConfig(config));
  io.out(`${config.path}: OK\n`);
  return 0;
}
