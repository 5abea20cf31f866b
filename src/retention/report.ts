import { formatDuration } from '../config/duration.js';
import type { PruneCounts } from '../store/retention-store.js';
import { formatUtc } from '../text/time.js';
import type { RetentionPolicy } from './policy.js';

const n = (count: number): string => count.toLocaleString('en');
const plural = (count: number, one: string, many = `${one}s`): string => `${n(count)} ${count === 1 ? one : many}`;
const mib = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MiB`;

/** One line for a log: what a pass did, or '' when it did nothing. */
export function describeCounts(counts: PruneCounts): string {
  const parts = [
    counts.built5m + counts.built1h > 0 ? `rolled up ${plural(counts.built5m, '5-minute bucket')} and ${plural(counts.built1h, 'hourly bucket')}` : '',
    counts.rawRows > 0 ? `removed ${plural(counts.rawSamples, 'raw sample')} (${plural(counts.rawRows, 'row')})` : '',
    counts.removed5m + counts.removed1h > 0 ? `removed ${plural(counts.removed5m, '5-minute bucket')} and ${plural(counts.removed1h, 'hourly bucket')}` : '',
    counts.polls + counts.runs > 0 ? `removed ${plural(counts.polls, 'poll')} and ${plural(counts.runs, 'run')}` : '',
    counts.outbox > 0 ? `removed ${plural(counts.outbox, 'sent mail')}` : '',
    counts.alerts > 0 ? `removed ${plural(counts.alerts, 'resolved alert')}` : '',
    counts.events > 0 ? `removed ${plural(counts.events, 'event')}` : '',
  ];
  return parts.filter(Boolean).join('; ');
}

export interface FileSizes {
  readonly before: number;
  readonly after: number;
  /** Bytes of free pages inside the file after: reused by new rows before the file grows. */
  readonly free: number;
}

/** What `metrix prune` prints: every kind of history, what went, and the file. */
export function pruneReport(counts: PruneCounts, policy: RetentionPolicy, now: number, file: FileSizes): string {
  const keep = (ms: number): string => `older than ${formatDuration(ms)}`;
  const rows: Array<[string, string]> = [
    ['roll-ups built', `${plural(counts.built5m, '5-minute bucket')}, ${plural(counts.built1h, 'hourly bucket')}`],
    ['raw samples', `${n(counts.rawSamples)} removed (${plural(counts.rawRows, 'row')}), ${keep(policy.rawMs)}`],
    ['5-minute roll-ups', `${plural(counts.removed5m, 'bucket')} removed, ${keep(policy.fiveMinuteMs)}`],
    ['hourly roll-ups', `${plural(counts.removed1h, 'bucket')} removed, ${keep(policy.hourlyMs)}`],
    ['polls', `${n(counts.polls)} removed, ${keep(policy.pollsMs)} (each host's latest and latest good poll are kept)`],
    ['runs', `${n(counts.runs)} removed, ${keep(policy.pollsMs)}`],
    ['outbox', `${plural(counts.outbox, 'message')} removed, sent or given up ${formatDuration(policy.sentMailMs)} ago or more`],
    ['alerts', `${plural(counts.alerts, 'resolved alert')} removed, resolved ${formatDuration(policy.resolvedAlertsMs)} ago or more`],
    ['events', `${plural(counts.events, 'event')} removed, ${keep(policy.eventsMs)}`],
    ['file', `${mib(file.before)} before, ${mib(file.after)} after; ${mib(file.free)} of it free, reused before the file grows`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return [`pruned at ${formatUtc(now)}`, ...rows.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`)].map((line) => `${line}\n`).join('');
}
