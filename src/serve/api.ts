import { setTimeout as delay } from 'node:timers/promises';
import { planSilence } from '../commands/silence.js';
import { checkDuration, DURATION_RANGES } from '../config/duration.js';
import type { Config } from '../config/types.js';
import { MetrixError } from '../errors.js';
import { formatOverview, jsonLine } from '../fleet/format.js';
import { readOverview } from '../fleet/gather.js';
import { metricInfo } from '../metrics/catalog.js';
import { canonicalLabels, matchesLabels, parseLabelList, type Labels } from '../metrics/labels.js';
import { AGGREGATIONS, type Aggregation } from '../query/aggregate.js';
import { csvField, formatRows, csvLines } from '../query/format.js';
import { describeTiers, readHistory, type HistorySeries } from '../query/history.js';
import { checkTimeArg } from '../query/time-arg.js';
import type { AlertRecord } from '../store/alert-store.js';
import { Store } from '../store/store.js';
import { formatUtc, formatUtcExact } from '../text/time.js';
import { formatLabels } from '../metrics/labels.js';
import type { AlertItem, HostResponse, HostRow, NewSilenceRequest, QueryResponse, SilenceItem } from './api-types.js';
import { MAX_QUERY_ANSWER_POINTS, MAX_QUERY_POINTS, MAX_QUERY_SERIES } from './api-types.js';
import { badRequest, HttpError, notFound } from './http-error.js';
import { staleAfter, stateBar } from './state-bar.js';

/** What the API reads from: the config as loaded, the long-lived read-only store, the clock. */
export interface ApiContext {
  readonly config: Config;
  readonly store: Store;
  readonly clock: () => number;
}

/** A route's answer: the JSON body, and the CSV form where the data is a table. */
export interface Answer {
  readonly json: unknown;
  /** The JSON already serialized (a cached answer); `json` is then not read. */
  readonly jsonText?: () => string;
  readonly csv?: () => string;
}

export type Query = Readonly<Record<string, string>>;

const DAY_MS = 86_400_000;

/** GET /api/v1/hosts. `generatedAt` is when the data last changed as this server saw it (given), so an unchanged fleet keeps its ETag. */
export function hostsAnswer(ctx: ApiContext, generatedAt: number): Answer {
  const lines = readOverview(ctx.store, ctx.config.hosts);
  return {
    json: { generatedAt: formatUtcExact(generatedAt), hosts: lines.map(jsonLine) },
    csv: () => formatOverview(lines, 'csv', generatedAt),
  };
}

/** GET /api/v1/hosts/:name; the state bar ends now. */
export function hostAnswer(ctx: ApiContext, name: string): Answer {
  const host = ctx.config.hosts.find((h) => h.name === name);
  if (!host) throw notFound(`no host "${name}" in the config`);
  const now = ctx.clock();
  const until = now;
  const since = until - DAY_MS;
  const lines = readOverview(ctx.store, [host]);
  const polls = ctx.store.web.polls(name, since, until);
  const firing = ctx.store.alerts
    .list({ since, firingOnly: false })
    .filter((alert) => alert.host === name && alert.firingSince !== undefined)
    .map((alert) => ({ from: alert.firingSince!, to: alert.resolvedAt }));
  const json: HostResponse = {
    generatedAt: formatUtcExact(until),
    host: jsonLine(lines[0]!) as HostRow,
    series: ctx.store.web.series(name).map((s) => ({ ...s, counter: metricInfo(s.metric)?.kind === 'counter' })),
    stateBar: stateBar({ since, until, before: polls.before, polls: polls.within, firing, staleAfterMs: staleAfter(polls.within) }),
  };
  return { json, csv: () => formatOverview(lines, 'csv', now) };
}

function only(query: Query, allowed: readonly string[]): void {
  const unknown = Object.keys(query).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw badRequest(`unknown parameter ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: ${allowed.join(', ')})`);
}

function time(what: string, text: string, now: number, problems: string[]): number | undefined {
  const result = checkTimeArg(text, now);
  if ('value' in result) return result.value;
  problems.push(`${what} "${text}": ${result.error}`);
  return undefined;
}

/**
 * GET /api/v1/query: the checks and semantics of `metrix query`, capped (api-types.ts): points
 * per series, series per answer, and points per answer, so one request cannot hold the event
 * loop for seconds building tens of MB.
 */
export function queryAnswer(ctx: ApiContext, query: Query): Answer {
  only(query, ['host', 'metric', 'labels', 'since', 'until', 'step', 'agg', 'format']);
  const problems: string[] = [];
  const host = query['host'] ?? '';
  const metric = query['metric'] ?? '';
  if (host === '') problems.push('host is required');
  if (!/^[A-Za-z_][A-Za-z0-9_.:-]{0,199}$/.test(metric)) problems.push(metric === '' ? 'metric is required' : `metric "${metric}": not a metric name`);
  const now = ctx.clock();
  const since = time('since', query['since'] ?? '1h', now, problems);
  const until = time('until', query['until'] ?? 'now', now, problems);
  if (since !== undefined && until !== undefined && since > until) problems.push('since is after until');
  const labels = query['labels'] === undefined ? {} : parseLabelList(query['labels']);
  if (labels === undefined) problems.push(`labels "${query['labels']}": expected name=value[,name=value], e.g. mount=/`);
  let stepMs: number | undefined;
  if (query['step'] !== undefined) {
    const step = checkDuration(query['step'], DURATION_RANGES.step);
    if ('error' in step) problems.push(`step "${query['step']}": ${step.error}`);
    else stepMs = step.value;
  }
  const agg = (query['agg'] ?? 'avg') as Aggregation;
  if (!AGGREGATIONS.includes(agg)) problems.push(`agg "${query['agg']}": expected one of ${AGGREGATIONS.join(', ')}`);
  if (problems.length > 0) throw badRequest(problems.join('; '));
  if (!ctx.config.hosts.some((h) => h.name === host)) throw notFound(`no host "${host}" in the config`);
  const range = until! - since!;
  if (stepMs !== undefined && range / stepMs > MAX_QUERY_POINTS) {
    throw badRequest(`step "${query['step']}" gives more than ${MAX_QUERY_POINTS} points over this range; use a step of at least ${Math.ceil(range / MAX_QUERY_POINTS / 1000)}s`);
  }
  // At most MAX_QUERY_SERIES series (the first by labels) and MAX_QUERY_ANSWER_POINTS points in all.
  const matching = ctx.store.web.seriesOf(host, metric).filter((stored) => matchesLabels(stored, labels!));
  const keys = [...new Set(matching.map((stored) => canonicalLabels(stored)))].sort();
  const subset = keys.length > MAX_QUERY_SERIES ? new Set(keys.slice(0, MAX_QUERY_SERIES)) : undefined;
  const kept = Math.max(1, Math.min(keys.length, MAX_QUERY_SERIES));
  /** The finest whole-minute step that keeps `kept` series within the answer's points. */
  const budgetStep = (): number => Math.max(60_000, Math.ceil((range * kept) / (MAX_QUERY_ANSWER_POINTS - kept) / 60_000) * 60_000);
  const tooMany = (step: number): HttpError =>
    new HttpError(413, 'payload_too_large', `step "${query['step']}" gives ${kept} series × ${Math.ceil(range / step)} points, more than ${MAX_QUERY_ANSWER_POINTS} in one answer; use a step of at least ${budgetStep() / 1000}s, or fewer series (labels=)`);
  if (stepMs !== undefined && kept * (Math.ceil(range / stepMs) + 1) > MAX_QUERY_ANSWER_POINTS) throw tooMany(stepMs);
  const read = (step: number | undefined) => readHistory(ctx.store, { host, metric, since: since!, until: until!, stepMs: step, agg, labels: labels!, ...(subset ? { only: subset } : {}) });
  const total = (h: ReturnType<typeof read>): number => h.series.reduce((sum, s) => sum + s.points.length, 0);
  const notes: string[] = [];
  if (subset) notes.push(`${keys.length} series match: the first ${MAX_QUERY_SERIES} by labels are given, ${keys.length - MAX_QUERY_SERIES} left out (narrow with labels=)`);
  const given = stepMs !== undefined;
  const inAll = `more than ${MAX_QUERY_ANSWER_POINTS} points in all (${kept} series)`;
  let why: string | undefined;
  // Polls in the range estimate the raw points of each series: a wide answer is read with a step from the start.
  const pollsAllowed = Math.floor(MAX_QUERY_ANSWER_POINTS / kept);
  if (!given && ctx.store.web.pollCount(host, since!, until!, pollsAllowed + 1) > pollsAllowed) [stepMs, why] = [budgetStep(), inAll];
  let history = read(stepMs);
  if (stepMs === undefined && history.series.some((s) => s.points.length > MAX_QUERY_POINTS)) {
    [stepMs, why] = [Math.max(60_000, Math.ceil(range / MAX_QUERY_POINTS / 60_000) * 60_000), `more than ${MAX_QUERY_POINTS} raw points`];
    history = read(stepMs);
  }
  if (!given && total(history) > MAX_QUERY_ANSWER_POINTS) {
    [stepMs, why] = [Math.max(stepMs ?? 0, budgetStep()), inAll];
    history = read(stepMs);
  }
  if (why) notes.push(`${why}: read with a step of ${stepMs! / 1000}s (${agg})`);
  // A step given that is fine per series but not for all of them (roll-up seams can add a point).
  if (given && total(history) > MAX_QUERY_ANSWER_POINTS) throw tooMany(stepMs!);
  notes.push(...describeTiers(history, agg, formatUtc));
  const json: QueryResponse = {
    host,
    metric,
    since: since!,
    until: until!,
    step: stepMs ?? null,
    agg,
    tiers: history.segments.map((s) => ({ tier: s.tier, from: s.from, to: s.to })),
    notes,
    series: history.series.map((s) => ({ host, metric, labels: s.labels, points: s.points.map((p) => [p.ts, p.value] as const) })),
  };
  return { json, csv: () => queryCsv(host, metric, history.series) };
}

/** `metrix query --format csv` of these series, a series at a time: its fields escaped once, no row objects (200,000 rows). */
function queryCsv(host: string, metric: string, series: readonly HistorySeries[]): string {
  const parts = [formatRows([], 'csv')];
  for (const s of series) {
    const tail = `,${csvField(host)},${csvField(metric)},${csvField(formatLabels(s.labels))},`;
    for (const p of s.points) parts.push(`${formatUtcExact(p.ts)}${tail}${String(p.value)}\r\n`);
  }
  return parts.join('');
}

const ALERT_STATES = ['all', 'firing', 'pending', 'resolved'] as const;
const ALERT_COLUMNS = ['code', 'host', 'rule', 'series', 'state', 'value', 'since', 'until', 'severity', 'note'];

function alertItem({ status: _status, ...alert }: AlertRecord): AlertItem {
  return alert;
}

/** GET /api/v1/alerts: history with codes, newest first. */
export function alertsAnswer(ctx: ApiContext, query: Query): Answer {
  only(query, ['state', 'since', 'format']);
  const state = (query['state'] ?? 'all') as (typeof ALERT_STATES)[number];
  if (!ALERT_STATES.includes(state)) throw badRequest(`state "${query['state']}": expected one of ${ALERT_STATES.join(', ')}`);
  const problems: string[] = [];
  const since = time('since', query['since'] ?? '7d', ctx.clock(), problems);
  if (problems.length > 0) throw badRequest(problems.join('; '));
  const pending = (): AlertRecord[] => ctx.config.alerts.flatMap((rule) => ctx.store.alerts.open(rule.name)).filter((a) => a.state === 'pending');
  let list: AlertRecord[];
  if (state === 'firing') list = ctx.store.alerts.list({ since: since!, firingOnly: true });
  else if (state === 'pending') list = pending();
  else {
    const history = ctx.store.alerts.list({ since: since!, firingOnly: false });
    list = state === 'resolved' ? history.filter((a) => a.state === 'resolved') : [...pending(), ...history];
  }
  list.sort((a, b) => b.activeSince - a.activeSince);
  const iso = (ms: number | undefined): string => (ms === undefined ? '' : formatUtc(ms));
  const cells = (a: AlertRecord): string[] => {
    const labels = formatLabels(a.labels);
    return [a.code, a.host, a.rule, labels ? `${a.metric}{${labels}}` : a.metric, a.state, String(a.value), iso(a.activeSince), iso(a.resolvedAt), a.severity, a.muted ?? ''];
  };
  return { json: { alerts: list.map(alertItem) }, csv: () => csvLines([ALERT_COLUMNS, ...list.map(cells)]) };
}

const SILENCE_COLUMNS = ['id', 'host', 'rule', 'labels', 'from', 'until', 'by', 'comment'];

/** GET /api/v1/silences. */
export function silencesAnswer(ctx: ApiContext): Answer {
  const list = ctx.store.silences.current(ctx.clock());
  const rows = list.map((s) => [String(s.id), s.host ?? '*', s.rule ?? '*', formatLabels(s.labels), formatUtc(s.startsAt), formatUtc(s.endsAt), s.createdBy, s.comment]);
  return { json: { silences: list as SilenceItem[] }, csv: () => csvLines([SILENCE_COLUMNS, ...rows]) };
}

const SILENCE_FIELDS = ['host', 'rule', 'labels', 'for', 'until', 'comment'] as const;

/** Checks a POST /api/v1/silences body's shape: an object of known string fields. */
export function silenceRequest(body: unknown): NewSilenceRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('expected a JSON object {host?, rule?, labels?, for? | until?, comment}');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !(SILENCE_FIELDS as readonly string[]).includes(key));
  if (unknown.length > 0) throw badRequest(`unknown field ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: ${SILENCE_FIELDS.join(', ')})`);
  const wrong = Object.entries(fields).filter(([, value]) => value !== undefined && value !== null && typeof value !== 'string');
  if (wrong.length > 0) throw badRequest(`${wrong.map(([k]) => `"${k}"`).join(', ')}: expected text`);
  const text = (key: string): string | undefined => (typeof fields[key] === 'string' ? (fields[key] as string) : undefined);
  return { host: text('host'), rule: text('rule'), labels: text('labels'), for: text('for'), until: text('until'), comment: text('comment') ?? '' };
}

/** Per try, how long SQLite itself waits for the poller's lock: this wait blocks the event loop. */
export const WRITE_TRY_MS = 50;
/** In all: tries are repeated, with the event loop free between them, for this long. */
export const WRITE_WAIT_MS = 5000;

const isBusy = (err: unknown): boolean => /^SQLITE_BUSY/.test(String((err as { code?: unknown } | null)?.code ?? ''));

/**
 * Opens the database for one change (the poller owns it otherwise). A run commits in one
 * transaction that can hold the lock for seconds; waiting for it inside SQLite would stop every
 * other request, so each try waits only WRITE_TRY_MS and the tries are spaced out on timers,
 * for WRITE_WAIT_MS in all; then 503.
 */
async function withWriter<T>(config: Config, change: (store: Store) => T): Promise<T> {
  const deadline = Date.now() + WRITE_WAIT_MS;
  for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
    try {
      const store = Store.open(config.settings.database, { busyTimeoutMs: WRITE_TRY_MS });
      try {
        return change(store);
      } finally {
        store.close();
      }
    } catch (err) {
      if (!isBusy(err) && !isBusy((err as { cause?: unknown }).cause)) throw err;
      if (Date.now() + pause > deadline) {
        throw new HttpError(503, 'unavailable', `the database stayed busy (a run is being stored) for ${WRITE_WAIT_MS / 1000} s; nothing was changed, try again`, { 'retry-after': '5' });
      }
    }
    await delay(pause);
  }
}

/** POST /api/v1/silences: `metrix silence add`'s checks; 400 with all problems. */
export async function addSilence(ctx: ApiContext, request: NewSilenceRequest, user: string): Promise<SilenceItem> {
  const now = ctx.clock();
  let silence;
  try {
    silence = planSilence({ config: ctx.config.path, ...request }, ctx.config, now, user);
  } catch (err) {
    if (err instanceof MetrixError && err.code === 'USAGE') throw badRequest(err.message.replace(/\n/g, '; '));
    throw err;
  }
  const id = await withWriter(ctx.config, (store) => store.silences.add(silence, now));
  const item: SilenceItem = { id, ...silence, labels: silence.labels as Labels };
  return Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined)) as unknown as SilenceItem;
}

/** DELETE /api/v1/silences/:id. */
export async function endSilence(ctx: ApiContext, idText: string): Promise<{ id: number }> {
  if (!/^\d{1,15}$/.test(idText)) throw badRequest(`"${idText}" is not a silence id`);
  const id = Number(idText);
  if (!(await withWriter(ctx.config, (store) => store.silences.remove(id, ctx.clock())))) throw notFound(`no current silence #${id}`);
  return { id };
}
