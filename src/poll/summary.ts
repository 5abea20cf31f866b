import type { PollRecord, RunRecord } from '../store/store.js';

/** The metrics named in a host's "ok" log line, when it has them. */
const HEADLINE_METRICS = ['cpu_percent', 'mem_percent', 'load1'];

/** One line per host for logs: what a sysadmin reading cron output wants to see. */
export function describePoll(record: PollRecord): string {
  const seconds = (record.durationMs / 1000).toFixed(2);
  if (record.failure) return `${record.failure.reason} after ${seconds}s: ${record.failure.message}`;
  const headline = HEADLINE_METRICS.flatMap((metric) => {
    const sample = record.samples.find((s) => s.m === metric && !s.l);
    return sample ? [`${metric}=${sample.v}`] : [];
  });
  return `ok in ${seconds}s: ${[...headline, `${record.samples.length} samples saved`].join(' ')}`;
}

/** The closing summary: counts, failures grouped by reason with their hosts, duration. */
export function summarizeRun(run: RunRecord): string {
  const failed = run.polls.filter((poll) => poll.failure);
  const seconds = ((run.finishedAt - run.startedAt) / 1000).toFixed(1);
  const hosts = run.polls.length === 1 ? 'host' : 'hosts';
  const lines = [`polled ${run.polls.length} ${hosts} in ${seconds}s: ${run.polls.length - failed.length} ok, ${failed.length} failed`];
  const byReason = new Map<string, string[]>();
  for (const poll of failed) byReason.set(poll.failure!.reason, [...(byReason.get(poll.failure!.reason) ?? []), poll.host]);
  for (const [reason, names] of [...byReason].sort((a, b) => b[1].length - a[1].length)) {
    const shown = names.length > 10 ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more` : names.join(', ');
    lines.push(`  ${reason}: ${names.length} (${shown})`);
  }
  return `${lines.join('\n')}\n`;
}
