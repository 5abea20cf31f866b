import { DURATION_HELP, MAX_DURATION_MS, parseDuration } from '../config/duration.js';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const ZONE = /^([+-])(\d{2}):?(\d{2})$/;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const FIRST_YEAR = 1970;

export type TimeArg = { readonly value: number } | { readonly error: string };

/**
 * Reads a --since/--until value: `now`, a duration ago (`6h`, `30m`), or an ISO 8601
 * date or time (`2026-11-21`, `2026-11-21T18:00`, `2026-11-21T18:00:00Z`; no zone = UTC).
 * Undefined when it is none of these.
 */
export function parseTimeArg(text: string, now: number): number | undefined {
  const result = checkTimeArg(text, now);
  return 'value' in result ? result.value : undefined;
}

/**
 * Like parseTimeArg, with a reason when the text is refused. Calendar fields are checked
 * strictly: `2026-02-30` is an error, not March 2nd as Date.parse would have it.
 */
export function checkTimeArg(text: string, now: number): TimeArg {
  const trimmed = text.trim();
  if (trimmed === 'now') return { value: now };
  const ago = parseDuration(trimmed);
  if (ago !== undefined) return { value: now - ago };
  const match = ISO.exec(trimmed);
  if (!match) {
    const tooLong = /^\d+(\.\d+)?(ms|s|m|h|d|w)$/.test(trimmed);
    return { error: tooLong ? `too far back (at most ${MAX_DURATION_MS / 86_400_000}d)` : `expected ${TIME_ARG_HELP}` };
  }
  const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1, 7).map((field) => (field === undefined ? undefined : Number(field)));
  const problem = calendarProblem(year!, month!, day!, hour, minute, second);
  if (problem) return { error: problem };
  const offset = zoneOffsetMs(match[8]);
  if (offset === undefined) return { error: `zone "${match[8]}" is not an offset of at most 23:59` };
  const fraction = match[7] === undefined ? 0 : Math.floor(Number(match[7]) * 1000);
  return { value: Date.UTC(year!, month! - 1, day!, hour, minute, second, fraction) - offset };
}

function calendarProblem(year: number, month: number, day: number, hour: number, minute: number, second: number): string | undefined {
  if (year < FIRST_YEAR) return `year ${year} is before ${FIRST_YEAR}`;
  if (month < 1 || month > 12) return `month ${month} does not exist (01..12)`;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > days) return `day ${day} does not exist: ${MONTHS[month - 1]} ${year} has ${days} days`;
  if (hour > 23) return `hour ${hour} does not exist (00..23)`;
  if (minute > 59) return `minute ${minute} does not exist (00..59)`;
  if (second > 59) return `second ${second} does not exist (00..59)`;
  return undefined;
}

/** Milliseconds east of UTC; no zone means UTC. */
function zoneOffsetMs(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z') return 0;
  const [, sign, hours, minutes] = ZONE.exec(zone) ?? [];
  if (Number(hours) > 23 || Number(minutes) > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes)) * 60_000;
}

export const TIME_ARG_HELP = `"now", ${DURATION_HELP} (meaning that long ago), or an ISO date/time such as 2026-11-21T18:00 (UTC unless a zone is given)`;
