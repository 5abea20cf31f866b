import { loadConfig } from '../config/load.js';
import { checkDuration, DURATION_RANGES, formatDuration } from '../config/duration.js';
import type { Io } from '../cli/io.js';
import { usageError } from '../errors.js';
import { METRIC_NAMES, metricInfo } from '../metrics/catalog.js';
import { parseLabelList } from '../metrics/labels.js';
import { AGGREGATIONS, type Aggregation } from '../query/aggregate.js';
import { describeTiers, readHistory } from '../query/history.js';
import { formatRows, OUTPUT_FORMATS, type OutputFormat, type Row } from '../query/format.js';
import { checkTimeArg } from '../query/time-arg.js';
import { Store } from '../store/store.js';
import { formatUtc } from '../text/time.js';

export interface QueryOptions {
  readonly config: string;
  readonly host: string;
  readonly metric: string;
  readonly labels?: string;
  readonly since: string;
  readonly until: string;
  readonly step?: string;
  readonly agg: string;
  readonly format: string;
  readonly json?: boolean;
}

interface Plan {
  readonly since: number;
  readonly until: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly stepMs: number | undefined;
  readonly agg: Aggregation;
  readonly format: OutputFormat;
}

/** Checks every option before the database is opened; all problems in one usage error. */
function plan(options: QueryOptions, now: number): Plan {
  const problems: string[] = [];
  const since = checked(`--since "${options.since}"`, checkTimeArg(options.since, now), problems);
  const until = checked(`--until "${options.until}"`, checkTimeArg(options.until, now), problems);
  if (since !== undefined && until !== undefined && since > until) problems.push(`--since is after --until`);
  const labels = options.labels === undefined ? {} : parseLabelList(options.labels);
  if (labels === undefined) problems.push(`--labels "${options.labels}": expected name=value[,name=value], e.g. mount=/`);
  const stepMs = options.step === undefined ? undefined : checked(`--step "${options.step}"`, checkDuration(options.step, DURATION_RANGES.step), problems);
  const agg = options.agg as Aggregation;
  if (!AGGREGATIONS.includes(agg)) problems.push(`--agg "${options.agg}": expected one of ${AGGREGATIONS.join(', ')}`);
  const format = (options.json ? 'json' : options.format) as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) problems.push(`--format "${options.format}": expected one of ${OUTPUT_FORMATS.join(', ')}`);
  if (problems.length > 0) throw usageError(problems.join('\n'));
  return { since: since!, until: until!, labels: labels!, stepMs, agg, format };
}

function checked(what: string, result: { value: number } | { error: string }, problems: string[]): number | undefined {
  if ('value' in result) return result.value;
  problems.push(`${what}: ${result.error}`);
  return undefined;
}

/** `metrix query`: one host's history of one metric, as a table, CSV or JSON, from raw samples or roll-ups (query/history.ts). */
export function query(options: QueryOptions, io: Io): number {
  const config = loadConfig(options.config);
  const p = plan(options, io.clock());
  const store = Store.open(config.settings.database, { readonly: true });
  try {
    const known = store.metricsOf(options.host);
    if (known.length === 0) throw usageError(`no data stored for host "${options.host}" in ${config.settings.database}`);
    if (!known.includes(options.metric)) {
      const hint = metricInfo(options.metric) ? 'known metric, but nothing stored for this host' : `unknown metric (known: ${METRIC_NAMES.join(', ')})`;
      throw usageError(`metric "${options.metric}": ${hint}`);
    }
    const history = readHistory(store, { host: options.host, metric: options.metric, since: p.since, until: p.until, stepMs: p.stepMs, agg: p.agg, labels: p.labels });
    const rows: Row[] = history.series.flatMap((series) => series.points.map((point) => ({ host: options.host, metric: options.metric, labels: series.labels, ...point })));
    if (rows.length === 0 && history.leftOut) {
      throw usageError(
        `--agg ${p.agg} needs raw samples, and for this range only roll-ups are kept (min, max, avg and count per bucket, raw samples for ${formatDuration(config.settings.retentionMs)}): use --agg avg, min or max`,
      );
    }
    // Table and CSV stay rows of data; where the values came from goes beside them (JSON has it per row).
    if (p.format !== 'json') for (const note of describeTiers(history, p.agg, formatUtc)) io.err(`note: ${note}\n`);
    if (rows.length === 0 && p.format === 'table') io.err(`no samples of ${options.metric} for ${options.host} in that time range\n`);
    else io.out(formatRows(rows, p.format));
    return 0;
  } finally {
    store.close();
  }
}
