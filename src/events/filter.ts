import { shownValue } from '../config/shape.js';
import { checkTimeArg } from '../query/time-arg.js';
import { EVENT_KINDS, isEventKind, type EventKind, type EventQuery } from '../store/event-store.js';
import { escapeControl } from '../text/escape.js';

/** Which events are wanted, as typed: `metrix events`'s flags, or the API's parameters. */
export interface EventFilterText {
  readonly since: string;
  readonly until: string;
  /** Each a comma-separated list of kinds (the flag and the parameter are repeatable). */
  readonly kind: readonly string[];
  readonly limit?: string;
}

export type EventFilterParameter = 'since' | 'until' | 'kind' | 'limit';

/** How the caller names a parameter in its messages: `--since` on the command line, `since` in the API. */
export type ParameterName = (parameter: EventFilterParameter) => string;

/** A value as typed, quoted for a message: control characters escaped, a long one cut. */
export const typed = (text: string): string => `"${escapeControl(shownValue(text))}"`;

/**
 * The time window, kinds and limit of an event listing, checked as `metrix events` checks
 * them; each problem (naming its parameter) goes to `problems`, and the query is then not
 * to be used. Hosts are the caller's: the CLI and the API say unknown names differently.
 */
export function checkEventFilter(text: EventFilterText, now: number, name: ParameterName, problems: string[]): Omit<EventQuery, 'hosts' | 'fleet'> {
  const time = (parameter: 'since' | 'until'): number | undefined => {
    const result = checkTimeArg(text[parameter], now);
    if ('value' in result) return result.value;
    problems.push(`${name(parameter)} ${typed(text[parameter])}: ${result.error}`);
    return undefined;
  };
  const since = time('since');
  const until = time('until');
  if (since !== undefined && until !== undefined && since > until) problems.push(`${name('since')} is after ${name('until')}`);
  const kinds = text.kind.flatMap((list) => list.split(',')).map((kind) => kind.trim());
  const unknown = kinds.filter((kind) => !isEventKind(kind));
  if (unknown.length > 0) problems.push(`${name('kind')} ${unknown.map(typed).join(', ')}: expected one of ${EVENT_KINDS.join(', ')}`);
  const limit = text.limit === undefined ? undefined : /^\d{1,9}$/.test(text.limit) && Number(text.limit) > 0 ? Number(text.limit) : NaN;
  if (Number.isNaN(limit)) problems.push(`${name('limit')} ${typed(text.limit!)}: expected a whole number of events, at least 1`);
  return { since, until, ...(kinds.length > 0 ? { kinds: kinds as EventKind[] } : {}), ...(limit === undefined ? {} : { limit }) };
}
