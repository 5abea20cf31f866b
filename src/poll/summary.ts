import type { PollRecord, RunRecord } from './records.js';

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
  return `ok in ${seconds}s: ${[...headline, `${record.samples.length} samples`].join(' ')}`;
}

export interface HostOutcome {
  readonly host: string;
  readonly failure: { readonly reason: string } | undefined;
}

/** A closing summary: counts, failures grouped by reason with their hosts, duration. */
export function summarizeHosts(verb: string, outcomes: readonly HostOutcome[], elapsedMs: number): string {
  const failed = outcomes.filter((outcome) => outcome.failure);
  const hosts = outcomes.length === 1 ? 'host' : 'hosts';
  const lines = [`${verb} ${outcomes.length} ${hosts} in ${(elapsedMs / 1000).toFixed(1)}s: ${outcomes.length - failed.length} ok, ${failed.length} failed`];
  const byReason = new Map<string, string[]>();
  for (const { host, failure } of failed) byReason.set(failure!.reason, [...(byReason.get(failure!.reason) ?? []), host]);
  for (const [reason, names] of [...byReason].sort((a, b) => b[1].length - a[1].length)) {
    const shown = names.length > 10 ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more` : names.join(', ');
    lines.push(`  ${reason}: ${names.length} (${shown})`);
  }
  return `${lines.join('\n')}\n`;
}

export function summarizeRun(run: RunRecord): string {
  return summarizeHosts('polled', run.polls, run.finishedAt - run.startedAt);
}
