import { loadConfig } from '../config/load.js';
import type { Io } from '../cli/io.js';
import { usageError } from '../errors.js';
import { formatLabels } from '../metrics/labels.js';
import { csvLines, OUTPUT_FORMATS, textTable, type OutputFormat } from '../query/format.js';
import { parseTimeArg, TIME_ARG_HELP } from '../query/time-arg.js';
import type { AlertRecord } from '../store/alert-store.js';
import { Store } from '../store/store.js';
import { formatUtc } from '../text/time.js';

export interface AlertsOptions {
  readonly config: string;
  readonly firing?: boolean;
  readonly since: string;
  readonly format: string;
  readonly json?: boolean;
}

const iso = (ms: number | undefined): string => (ms === undefined ? '' : formatUtc(ms));

const COLUMNS = ['code', 'host', 'rule', 'series', 'state', 'value', 'since', 'until', 'severity', 'note'] as const;

function cells(alert: AlertRecord): string[] {
  const labels = formatLabels(alert.labels);
  return [
    alert.code,
    alert.host,
    alert.rule,
    labels ? `${alert.metric}{${labels}}` : alert.metric,
    alert.state,
    String(alert.value),
    iso(alert.activeSince),
    iso(alert.resolvedAt),
    alert.severity,
    alert.muted ?? (alert.state === 'firing' && alert.notifiedAt === undefined ? 'not mailed yet' : ''),
  ];
}

/** `metrix alerts`: alert history with codes, newest first; `--firing` for what fires now. */
export function alerts(options: AlertsOptions, io: Io): number {
  const config = loadConfig(options.config);
  const since = parseTimeArg(options.since, io.clock());
  if (since === undefined) throw usageError(`--since "${options.since}": expected ${TIME_ARG_HELP}`);
  const format = (options.json ? 'json' : options.format) as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) throw usageError(`--format "${options.format}": expected one of ${OUTPUT_FORMATS.join(', ')}`);
  const store = Store.open(config.settings.database, { readonly: true });
  try {
    const list = store.alerts.list({ since, firingOnly: options.firing ?? false });
    if (format === 'json') {
      io.out(`${JSON.stringify(list.map(({ status: _status, ...alert }) => alert), null, 2)}\n`);
    } else if (format === 'csv') {
      io.out(csvLines([[...COLUMNS], ...list.map(cells)]));
    } else if (list.length === 0) {
      io.err(options.firing ? 'no alert is firing\n' : `no alerts since ${iso(since)}\n`);
    } else {
      io.out(textTable(COLUMNS, list.map(cells), new Set([5])));
    }
    return 0;
  } finally {
    store.close();
  }
}
