import { loadConfig } from '../config/load.js';
import { KeyStore } from '../crypto/key-store.js';
import { logLine, type Io } from '../cli/io.js';
import { selectHosts } from '../cli/select-hosts.js';
import { Progress } from '../cli/progress.js';
import { pollHosts } from '../poll/run.js';
import { describePoll, summarizeRun } from '../poll/summary.js';
import { openTransports } from './transports.js';
import { alertAndNotify } from '../notify/after-run.js';
import { Store } from '../store/store.js';
import { acquireRunLock, currentHolder } from '../store/run-lock.js';
import { DURATION_HELP, parseDuration } from '../config/duration.js';
import { MetrixError, usageError } from '../errors.js';

export interface ExecuteOptions {
  readonly config: string;
  readonly host: readonly string[];
  readonly group: readonly string[];
  /** How long to wait for a run that is still going (slow cron), e.g. "10s". */
  readonly wait: string;
}

/** `metrix execute`: poll the selected hosts, store what came back, report. Exit 0 all ok, 1 some failed. */
export async function execute(options: ExecuteOptions, io: Io): Promise<number> {
  const config = loadConfig(options.config);
  const hosts = selectHosts(config, options.host, options.group);
  const { store: keys, created } = KeyStore.open(config.settings.keysDir);
  if (created) logLine(io, 'INFO', `created keys directory ${config.settings.keysDir} with a new poller key pair`);
  const waitMs = parseDuration(options.wait);
  if (waitMs === undefined) throw usageError(`--wait "${options.wait}": expected ${DURATION_HELP}`);
  const transports = openTransports(config, keys, io); // no connection yet: one is opened per host when polled
  const store = Store.open(config.settings.database);
  const lock = await acquireRunLock(store.db, currentHolder(), waitMs, { clock: io.clock, sleep: io.sleep });
  if (!lock.acquired) {
    store.close();
    const { pid, machine, acquiredAt } = lock.holder;
    throw new MetrixError(
      'LOCKED',
      `another metrix execute is still running (pid ${pid} on ${machine}, since ${new Date(acquiredAt).toISOString()}); waited ${options.wait}, skipped this run`,
    );
  }
  if (lock.tookOverFrom) logLine(io, 'WARN', `the run of pid ${lock.tookOverFrom.pid} on ${lock.tookOverFrom.machine} ended without releasing its lock (crashed or killed); took it over`);
  const progress = new Progress(io, hosts.length);
  try {
    const run = await pollHosts(
      hosts,
      {
        settings: config.settings,
        keys,
        transportOf: (host) => transports.of(host.transport),
        lastCounters: (host) => store.lastCounters(host),
        clock: io.clock,
      },
      {
        concurrency: config.settings.concurrency,
        onPoll: (record) => {
          for (const warning of record.warnings ?? []) progress.note({ host: record.host, level: 'WARN', message: warning });
          progress.host({ host: record.host, level: record.failure ? 'ERROR' : 'INFO', message: describePoll(record) });
        },
      },
    );
    progress.finish();
    store.writeRun(run);
    await alertAndNotify(config, store, run, io);
    io.out(summarizeRun(run));
    return run.polls.some((poll) => poll.failure) ? 1 : 0;
  } finally {
    progress.finish();
    await transports.close();
    lock.release();
    store.close();
  }
}
