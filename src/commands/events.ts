import { existsSync } from 'node:fs';
import type { Io } from '../cli/io.js';
import { selectHosts } from '../cli/select-hosts.js';
import { loadConfig } from '../config/load.js';
import { usageError } from '../errors.js';
import { checkEventFilter } from '../events/filter.js';
import { formatEvents } from '../events/format.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../query/format.js';
import type { EventQuery } from '../store/event-store.js';
import { Store } from '../store/store.js';
import { formatUtc } from '../text/time.js';

export interface EventsOptions {
  readonly config: string;
  readonly host: readonly string[];
  readonly group: readonly string[];
  readonly since: string;
  readonly until: string;
  /** Repeatable, each a comma-separated list of kinds. */
  readonly kind: readonly string[];
  readonly limit?: string;
  readonly format: string;
  readonly json?: boolean;
}

/** Checks every option before the database is opened; all problems in one usage error. */
function plan(options: EventsOptions, now: number): { query: Omit<EventQuery, 'hosts'>; format: OutputFormat } {
  const problems: string[] = [];
  const query = checkEventFilter(options, now, (flag) => `--${flag}`, problems);
  const format = (options.json ? 'json' : options.format) as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) problems.push(`--format "${options.format}": expected one of ${OUTPUT_FORMATS.join(', ')}`);
  if (problems.length > 0) throw usageError(problems.join('\n'));
  return { query, format };
}

/**
 * `metrix events`: what happened, oldest first: hosts down and up, reboots, collector
 * upgrades, alerts, silences. With -h/-g, those hosts' events and the fleet-wide ones.
 */
export function events(options: EventsOptions, io: Io): number {
  const config = loadConfig(options.config);
  const { query, format } = plan(options, io.clock());
  const filtered = options.host.length > 0 || options.group.length > 0;
  const hosts = filtered ? selectHosts(config, options.host, options.group).map((host) => host.name) : undefined;
  const database = config.settings.database;
  // A reader never creates the database: before the first execute nothing has happened yet.
  if (!existsSync(database)) {
    io.err(`no database yet at ${database}: nothing has happened yet (run "metrix execute")\n`);
    if (format !== 'table') io.out(formatEvents([], format));
    return 0;
  }
  const store = Store.open(database, { readonly: true });
  try {
    const list = store.events.list({ ...query, ...(hosts ? { hosts, fleet: true } : {}) });
    if (list.length === 0 && format === 'table') io.err(`no events from ${formatUtc(query.since!)} to ${formatUtc(query.until!)}\n`);
    else io.out(formatEvents(list, format));
    return 0;
  } finally {
    store.close();
  }
}
