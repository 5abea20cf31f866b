import { DURATION_HELP, parseDuration } from '../config/duration.js';

/**
 * Reads a --since/--until value: `now`, a duration ago (`6h`, `30m`), or an ISO 8601
 * date or time (`2026-11-21`, `2026-11-21T18:00`, `2026-11-21T18:00:00Z`; no zone = UTC).
 * Undefined when it is none of these.
 */
export function parseTimeArg(text: string, now: number): number | undefined {
  const trimmed = text.trim();
  if (trimmed === 'now') return now;
  const ago = parseDuration(trimmed);
  if (ago !== undefined) return now - ago;
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(trimmed)) return undefined;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(trimmed) && trimmed.length > 10;
  const iso = trimmed.replace(' ', 'T');
  const ms = Date.parse(hasZone ? iso : `${iso.length === 10 ? `${iso}T00:00` : iso}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

export const TIME_ARG_HELP = `"now", ${DURATION_HELP} (meaning that long ago), or an ISO date/time such as 2026-11-21T18:00 (UTC unless a zone is given)`;
