import { readAttributes } from './attributes.js';
import { HEARTBEAT_ATTRS } from './schema.js';
import type { HeartbeatConfig } from './types.js';
import type { XmlElement } from './xml.js';

/**
 * every: once a minute is cron's period, so with cron each run pings, while `metrix run --every 10s`
 * does not call the watcher six times a minute. timeout: the run waits for the ping, so short.
 */
export const HEARTBEAT_DEFAULTS = { everyMs: 60_000, timeoutMs: 10_000 } as const;

/** The heartbeat, or undefined without <heartbeat> (or with a url too broken to use: a problem says so). */
export function resolveHeartbeat(element: XmlElement | undefined, problems: string[]): HeartbeatConfig | undefined {
  if (!element) return undefined;
  const attrs = readAttributes(element, HEARTBEAT_ATTRS, problems);
  if (attrs.url === undefined) return undefined;
  return {
    url: attrs.url,
    everyMs: attrs.every ?? HEARTBEAT_DEFAULTS.everyMs,
    timeoutMs: attrs.timeout ?? HEARTBEAT_DEFAULTS.timeoutMs,
  };
}
