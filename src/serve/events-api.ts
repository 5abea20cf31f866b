import { selectHosts } from '../cli/select-hosts.js';
import { checkEventFilter, typed } from '../events/filter.js';
import { eventJson, formatEvents } from '../events/format.js';
import type { Answer, ApiContext } from './api.js';
import { MAX_API_EVENTS, type EventItem, type EventsResponse } from './api-types.js';
import { badRequest } from './http-error.js';

/** Parameters a request may give more than once (as the flags of `metrix events` repeat). */
const REPEATABLE = ['host', 'group', 'kind'] as const;
const SINGLE = ['since', 'until', 'limit', 'format'] as const;

/** The request's query as `metrix events` takes it: lists for the repeatable parameters, one string for the rest. */
function parameters(query: Readonly<Record<string, unknown>>): { lists: Record<(typeof REPEATABLE)[number], string[]>; single: Record<string, string> } {
  const allowed: readonly string[] = [...REPEATABLE, ...SINGLE];
  const unknown = Object.keys(query).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw badRequest(`unknown parameter ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: ${allowed.join(', ')})`);
  const lists = { host: [] as string[], group: [] as string[], kind: [] as string[] };
  const single: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    if (!values.every((v): v is string => typeof v === 'string')) throw badRequest(`parameter "${key}": expected text`);
    if ((REPEATABLE as readonly string[]).includes(key)) lists[key as (typeof REPEATABLE)[number]].push(...values);
    else if (values.length > 1) throw badRequest(`parameter "${key}" given more than once`);
    else single[key] = values[0]!;
  }
  return { lists, single };
}

/**
 * GET /api/v1/events: `metrix events` over HTTP, its checks (checkEventFilter) and its store
 * query, oldest first; the newest MAX_API_EVENTS at most (see api-types.ts).
 */
export function eventsAnswer(ctx: ApiContext, query: Readonly<Record<string, unknown>>): Answer {
  const { lists, single } = parameters(query);
  const problems: string[] = [];
  // Unknown names said briefly: a 400 does not list a thousand hosts or where the config lives.
  for (const name of lists.host) if (!ctx.config.hosts.some((h) => h.name === name)) problems.push(`host ${typed(name)}: not in the config`);
  for (const name of lists.group) if (!ctx.config.groups.has(name)) problems.push(`group ${typed(name)}: not in the config`);
  const filter = checkEventFilter({ since: single['since'] ?? '1d', until: single['until'] ?? 'now', kind: lists.kind, limit: single['limit'] }, ctx.clock(), (p) => p, problems);
  if (filter.limit !== undefined && filter.limit > MAX_API_EVENTS) problems.push(`limit "${filter.limit}": at most ${MAX_API_EVENTS} events per request (narrow since and until)`);
  if (problems.length > 0) throw badRequest(problems.join('; '));
  const selected = lists.host.length > 0 || lists.group.length > 0;
  const hosts = selected ? { hosts: selectHosts(ctx.config, lists.host, lists.group).map((h) => h.name), fleet: true } : {};
  // One more than the cap tells whether the cap cut anything.
  const read = ctx.store.events.list({ ...filter, ...hosts, limit: filter.limit ?? MAX_API_EVENTS + 1 });
  const truncated = filter.limit === undefined && read.length > MAX_API_EVENTS;
  const list = truncated ? read.slice(1) : read;
  const json: EventsResponse = { events: list.map((e): EventItem => eventJson(e)), truncated };
  return { json, csv: () => formatEvents(list, 'csv') };
}
