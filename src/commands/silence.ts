import { userInfo } from 'node:os';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { checkDuration, formatDuration } from '../config/duration.js';
import { MAX_SILENCE_MS, silenceTime } from '../alerts/silences.js';
import type { Io } from '../cli/io.js';
import { silenceScope } from '../events/silence-events.js';
import { usageError } from '../errors.js';
import { formatLabels, parseLabelList } from '../metrics/labels.js';
import { csvLines, OUTPUT_FORMATS, textTable, type OutputFormat } from '../query/format.js';
import { parseTimeArg, TIME_ARG_HELP } from '../query/time-arg.js';
import type { NewSilence, SilenceStore } from '../store/silence-store.js';
import { Store } from '../store/store.js';

export interface SilenceAddOptions {
  readonly config: string;
  readonly host?: string;
  readonly rule?: string;
  readonly labels?: string;
  readonly for?: string;
  readonly until?: string;
  readonly comment: string;
}

const SILENCE_RANGE = { min: 60_000, max: MAX_SILENCE_MS } as const;

/** Checks a new silence against the config, so a typo cannot silence nothing (or everything). */
export function planSilence(options: SilenceAddOptions, config: Config, now: number, user: string): NewSilence {
  const problems: string[] = [];
  if (options.host === undefined && options.rule === undefined) problems.push('name what to silence: -h HOST and/or --rule RULE');
  if (options.host !== undefined && !config.hosts.some((h) => h.name === options.host)) problems.push(`unknown host "${options.host}"`);
  if (options.rule !== undefined && !config.alerts.some((r) => r.name === options.rule)) {
    problems.push(`unknown rule "${options.rule}" (rules: ${config.alerts.map((r) => r.name).join(', ') || 'none'})`);
  }
  const labels = options.labels === undefined ? {} : parseLabelList(options.labels);
  if (labels === undefined) problems.push(`--labels "${options.labels}": expected name=value[,name=value]`);
  if ((options.for === undefined) === (options.until === undefined)) problems.push('give exactly one of --for 2h or --until TIME');
  const forMs = options.for === undefined ? undefined : checkDuration(options.for, SILENCE_RANGE);
  if (forMs && 'error' in forMs) problems.push(`--for "${options.for}": ${forMs.error}; a silence lasts at most ${formatDuration(MAX_SILENCE_MS)}`);
  const until = options.until === undefined ? undefined : parseTimeArg(options.until, now);
  if (options.until !== undefined && !(until !== undefined && until > now)) problems.push(`--until "${options.until}": expected a time in the future: ${TIME_ARG_HELP}`);
  if (until !== undefined && until > now + MAX_SILENCE_MS) {
    problems.push(`--until "${options.until}": more than ${formatDuration(MAX_SILENCE_MS)} ahead; a silence lasts at most ${formatDuration(MAX_SILENCE_MS)}`);
  }
  if (!options.comment.trim()) problems.push('--comment must say why (it is shown in `metrix silence list` and `metrix alerts`)');
  if (problems.length > 0) throw usageError(problems.join('\n'));
  const endsAt = until ?? now + (forMs && 'value' in forMs ? forMs.value : 0);
  return { host: options.host, rule: options.rule, labels: labels!, startsAt: now, endsAt, comment: options.comment.trim(), createdBy: user };
}

/** `readonly` for commands that only read: they then work on a database they may not write. */
function withStore<T>(config: Config, use: (silences: SilenceStore) => T, readonly = false): T {
  const store = Store.open(config.settings.database, { readonly });
  try {
    return use(store.silences);
  } finally {
    store.close();
  }
}

/** `metrix silence add`: mute matching alerts until a time; they are still recorded. */
export function silenceAdd(options: SilenceAddOptions, io: Io): number {
  const config = loadConfig(options.config);
  const now = io.clock();
  const silence = planSilence(options, config, now, io.env['SUDO_USER'] ?? io.env['USER'] ?? userInfo().username);
  const id = withStore(config, (silences) => silences.add(silence, now));
  io.out(`silence #${id} until ${silenceTime(silence.endsAt)}: ${silenceScope(silence)}\n`);
  return 0;
}

/** `metrix silence list`: silences in force or yet to start. */
export function silenceList(options: { readonly config: string; readonly format: string; readonly json?: boolean }, io: Io): number {
  const config = loadConfig(options.config);
  const format = (options.json ? 'json' : options.format) as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) throw usageError(`--format "${options.format}": expected one of ${OUTPUT_FORMATS.join(', ')}`);
  const list = withStore(config, (silences) => silences.current(io.clock()), true);
  const header = ['id', 'host', 'rule', 'labels', 'from', 'until', 'by', 'comment'];
  const rows = list.map((s) => [String(s.id), s.host ?? '*', s.rule ?? '*', formatLabels(s.labels), silenceTime(s.startsAt), silenceTime(s.endsAt), s.createdBy, s.comment]);
  if (format === 'json') io.out(`${JSON.stringify(list, null, 2)}\n`);
  else if (format === 'csv') io.out(csvLines([header, ...rows]));
  else if (list.length === 0) io.err('no silences\n');
  else io.out(textTable(header, rows));
  return 0;
}

/** `metrix silence remove ID`: ends a silence now. */
export function silenceRemove(options: { readonly config: string; readonly id: string }, io: Io): number {
  const config = loadConfig(options.config);
  const id = /^\d+$/.test(options.id) ? Number(options.id) : NaN;
  if (Number.isNaN(id)) throw usageError(`"${options.id}" is not a silence id (see metrix silence list)`);
  const removed = withStore(config, (silences) => silences.remove(id, io.clock()));
  if (!removed) throw usageError(`no current silence #${id} (see metrix silence list)`);
  io.out(`silence #${id} ended\n`);
  return 0;
}
