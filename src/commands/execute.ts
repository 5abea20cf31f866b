import { logLine, type Io } from '../cli/io.js';
import { STOP_EXIT, watchStop } from '../cli/stop-watch.js';
import { Progress } from '../cli/progress.js';
import { pollHosts, STOP_GRACE_MS } from '../poll/run.js';
import type { RunRecord } from '../poll/records.js';
import { describePoll, summarizeRun } from '../poll/summary.js';
import { openTransports } from './transports.js';
import { openPoller, pollContext } from './poller.js';
import { alertAndNotify } from '../notify/after-run.js';
import { heartbeatAfterRun } from '../notify/heartbeat.js';
import { pruneAfterRun } from '../retention/after-run.js';
import { REMOTE_WRITE_BUDGET_MS, remoteWriteAfterRun } from '../remote-write/after-run.js';

export interface ExecuteOptions {
  readonly config: string;
  readonly host: readonly string[];
  readonly group: readonly string[];
  /** How long to wait for a run that is still going (slow cron), e.g. "10s". */
  readonly wait: string;
}

/** `metrix execute`: poll the selected hosts, store what came back, report. Exit 0 all ok, 1 some failed. */
export async function execute(options: ExecuteOptions, io: Io): Promise<number> {
  const poller = await openPoller(options, io, 'skipped this run');
  const { config, hosts, keys, store } = poller;
  const transports = openTransports(config, keys, io); // no connection yet: one is opened per host when polled
  const progress = new Progress(io, hosts.length);
  let polling = true;
  const stop = watchStop(io, (signal) => {
    const message = polling
      ? `${signal}: starting no new host; hosts in flight get ${STOP_GRACE_MS / 1000}s to finish (${signal} again to stop waiting), then what came back is stored`
      : `${signal}: the hosts are done; stopping at the end of this run (a mail being sent finishes within the mail timeout)`;
    progress.note({ host: '', level: 'WARN', message });
  });
  try {
    const run = await pollHosts(
      hosts,
      pollContext(config, keys, store, io, (host) => transports.of(host.transport)),
      {
        concurrency: config.settings.concurrency,
        stop: stop.signal,
        sleep: stop.sleep,
        onPoll: (record) => {
          for (const warning of record.warnings ?? []) progress.note({ host: record.host, level: 'WARN', message: warning });
          progress.host({ host: record.host, level: record.failure ? 'ERROR' : 'INFO', message: describePoll(record) });
        },
      },
    );
    polling = false;
    progress.finish();
    store.writeRun(run);
    logLine(io, 'INFO', describeStored(run));
    if (stop.by) {
      logLine(io, 'WARN', `stopped by ${stop.by}: ${describeNotPolled(run.stopped?.notPolled ?? [])}; alerts and mail wait for the next run`);
      io.out(summarizeRun(run));
      return STOP_EXIT[stop.by];
    }
    await alertAndNotify(config, store, run, io);
    if (!stop.by) await heartbeatAfterRun(config, store, io, run, stop.signal); // never throws
    if (!stop.by) await remoteWriteAfterRun(config, store, io, REMOTE_WRITE_BUDGET_MS, stop.signal); // never throws; within its budget
    if (!stop.by) pruneAfterRun(config, store, io); // never throws; at most once an hour, within its budget
    io.out(summarizeRun(run));
    if (stop.by) return STOP_EXIT[stop.by];
    return run.polls.some((poll) => poll.failure) ? 1 : 0;
  } finally {
    stop.dispose();
    progress.finish();
    await transports.close();
    poller.releaseLock();
    store.close();
  }
}

function describeStored(run: RunRecord): string {
  const samples = run.polls.reduce((sum, poll) => sum + poll.samples.length, 0);
  const hosts = run.polls.length === 1 ? 'host' : 'hosts';
  return `stored ${samples} samples from ${run.polls.length} ${hosts}`;
}

function describeNotPolled(names: readonly string[]): string {
  if (names.length === 0) return 'every host had finished';
  const shown = names.length > 10 ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more` : names.join(', ');
  return `${names.length} not polled or not waited for (${shown})`;
}
