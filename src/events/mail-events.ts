import type { Notice } from '../alerts/plan.js';
import type { HostEventsView } from '../alerts/types.js';

const HOUR = 3_600_000;

/** An alert mail shows at most this many events per host: the newest ones of its window. */
export const MAIL_EVENTS_PER_HOST = 10;
/** ... of at most this many hosts (a rack-wide incident still makes a readable mail). */
export const MAIL_EVENT_HOSTS = 10;
/** The window starts this long before the host's earliest alert in the mail became active. */
export const MAIL_EVENTS_MARGIN_MS = 6 * HOUR;

/** Reads one host's newest events in [since, until], at most `limit`, oldest first. */
export type EventReader = (host: string, since: number, until: number, limit: number) => HostEventsView['events'];

/**
 * The events section of a notification: for each host its notices name (in the order they
 * first appear), the newest events from its earliest alert's start less the margin up to
 * `now`. Hosts with no events are left out.
 */
export function hostEvents(notices: readonly Notice[], now: number, read: EventReader): HostEventsView[] {
  const since = new Map<string, number>();
  for (const { alert } of notices) since.set(alert.host, Math.min(since.get(alert.host) ?? Infinity, alert.activeSince - MAIL_EVENTS_MARGIN_MS));
  return [...since]
    .slice(0, MAIL_EVENT_HOSTS)
    .map(([host, from]) => ({ host, events: read(host, from, now, MAIL_EVENTS_PER_HOST) }))
    .filter((host) => host.events.length > 0);
}
