import type { Severity } from '../config/types.js';
import type { PollRecord } from '../poll/records.js';
import type { NewEvent } from '../store/event-store.js';
import type { CheckChange } from '../store/watch-text-store.js';

export const STATUS_NAMES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

const SEVERITY: readonly Severity[] = ['info', 'warning', 'critical', 'warning'];

const statusName = (status: number): string => STATUS_NAMES[status] ?? String(status);

/**
 * The events a poll's checks and logs make: a check whose status changed (or whose first result
 * is not OK), with the plugin's first line; a log that matched, with the count and its first line
 * of this poll. Pure.
 */
export function watchEvents(poll: PollRecord, changes: readonly CheckChange[]): NewEvent[] {
  const events: NewEvent[] = changes.map((change) => ({
    ts: change.ts,
    host: change.host,
    kind: 'check_changed',
    severity: SEVERITY[change.to] ?? 'warning',
    text: `check ${change.check} ${change.from === undefined ? `${statusName(change.to)} at its first run` : `${statusName(change.from)} -> ${statusName(change.to)}`}; output: ${change.text}`,
    details: { check: change.check, from: change.from === undefined ? null : statusName(change.from), to: statusName(change.to), output: change.text },
  }));
  for (const log of poll.logs ?? []) {
    if (log.matches === 0) continue;
    const first = log.lines[0] ?? '';
    events.push({
      ts: poll.ts,
      host: poll.host,
      kind: 'log_matched',
      severity: 'warning',
      text: `log ${log.log}: ${log.matches} line${log.matches === 1 ? '' : 's'} matched${first ? `: ${first}` : ''}`,
      details: { log: log.log, matches: log.matches, line: first },
    });
  }
  return events;
}
