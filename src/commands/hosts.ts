import { existsSync } from 'node:fs';
import type { Io } from '../cli/io.js';
import { selectHosts } from '../cli/select-hosts.js';
import { loadConfig } from '../config/load.js';
import { usageError } from '../errors.js';
import { formatOverview } from '../fleet/format.js';
import { readOverview } from '../fleet/gather.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../query/format.js';
import { Store } from '../store/store.js';
import { formatDuration } from '../mail/format.js';
import { formatUtc } from '../text/time.js';

export interface HostsOptions {
  readonly config: string;
  readonly host: readonly string[];
  readonly group: readonly string[];
  readonly format: 'table' | 'csv' | 'json';
  readonly json?: boolean;
}

/** `metrix hosts`: one line per host, problems first. */
export function hosts(options: HostsOptions, io: Io): number {
  const config = loadConfig(options.config);
  const selected = selectHosts(config, options.host, options.group);
  const format: OutputFormat = options.json ? 'json' : options.format;
  if (!OUTPUT_FORMATS.includes(format)) throw usageError(`--format "${options.format}": expected one of ${OUTPUT_FORMATS.join(', ')}`);
  // A reader never creates the database: before the first execute there is none, and every host is "never polled".
  const database = config.settings.database;
  if (!existsSync(database)) {
    io.err(`no database yet at ${database}: no host has been polled (run "metrix execute")\n`);
    io.out(formatOverview(readOverview(undefined, selected), format, io.clock()));
    return 0;
  }
  const store = Store.open(database, { readonly: true });
  try {
    const lines = readOverview(store, selected);
    io.out(formatOverview(lines, format, io.clock()));
    // A poller that stopped leaves every host "up" with ages growing: say how old the newest poll is.
    const newest = Math.max(...lines.map((line) => line.lastPoll ?? -Infinity));
    if (format === 'table' && Number.isFinite(newest)) io.err(`last poll of any host: ${formatDuration(Math.max(0, io.clock() - newest))} ago (${formatUtc(newest)})\n`);
    return 0;
  } finally {
    store.close();
  }
}
