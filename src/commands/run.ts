import { loadConfig } from '../config/load.js';
import type { Config, Host } from '../config/types.js';
import { checkDuration, DURATION_RANGES, formatDuration } from '../config/duration.js';
import { KeyStore } from '../crypto/key-store.js';
import { logLine, type Io, type StopSignal } from '../cli/io.js';
import { descriptorsNeeded, fdLimits } from '../cli/fd-limit.js';
import { selectHosts } from '../cli/select-hosts.js';
import { pollHosts } from '../poll/run.js';
import type { PollRecord, RunRecord } from '../poll/records.js';
import { nextBoundary, nextCycle } from '../poll/schedule.js';
import { WarmTransport } from '../poll/warm-transport.js';
import { openTransports } from './transports.js';
import { alertAndNotify } from '../notify/after-run.js';
import { heartbeatAfterRun } from '../notify/heartbeat.js';
import { AUTO_PRUNE_BUDGET_MS, pruneAfterRun } from '../retention/after-run.js';
import { POLLER_HOST } from '../alerts/self-monitoring.js';
import { Store } from '../store/store.js';
import { currentHolder } from '../store/run-lock.js';
import { errorMessage, MetrixError, usageError } from '../errors.js';
import { formatUtc } from '../text/time.js';

export interface RunOptions {
  readonly config: string;
  readonly host: readonly string[];
  readonly group: readonly string[];
  /** Cycle length, e.g. "60s". */
  readonly every: string;
  readonly wait: string;
}

/** Below this much time before the next cycle, retention waits for a later one. */
const MIN_PRUNE_SPARE_MS = 200;

/** A host that keeps failing is retried at most this far apart (still host_up=0 every cycle). */
const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * `metrix run`: stay up and poll on a schedule. Connections stay open between cycles and each
 * host keeps one resident collector, so a cycle costs no handshake, no sshd session and no
 * Node start-up per host. Each cycle is a whole execute: poll, store, alerts, outbox.
 */
export async function run(options: RunOptions, io: Io): Promise<number> {
  let config = loadConfig(options.config);
  let hosts = selectHosts(config, options.host, options.group);
  const every = checkDuration(options.every, DURATION_RANGES.every);
  if ('error' in every) throw usageError(`--every "${options.every}": ${every.error}`);
  const wait = checkDuration(options.wait, DURATION_RANGES.wait);
  if ('error' in wait) throw usageError(`--wait "${options.wait}": ${wait.error}`);
  const everyMs = every.value;

  const { store: keys, created } = KeyStore.open(config.settings.keysDir);
  if (created) logLine(io, 'INFO', `created keys directory ${config.settings.keysDir} with a new poller key pair`);
  const store = Store.open(config.settings.database);
  const lock = await store.acquireRunLock(currentHolder(), wait.value, { clock: io.clock, sleep: io.sleep });
  if (!lock.acquired) {
    store.close();
    const { pid, machine, acquiredAt } = lock.holder;
    throw new MetrixError('LOCKED', `another metrix is polling this database (pid ${pid} on ${machine}, since ${formatUtc(acquiredAt)}); waited ${options.wait}, not started`);
  }
  if (lock.tookOverFrom) logLine(io, 'WARN', `the run of pid ${lock.tookOverFrom.pid} on ${lock.tookOverFrom.machine} ended without releasing its lock (crashed or killed); took it over`);
  checkDescriptors(hosts, io);

  let transports = openWarm(config, keys, io, everyMs);
  let stopping: StopSignal | undefined;
  const hurry = new AbortController();
  const wake = new Wakeup();
  let reload = false;
  const unsubscribeStop =
    io.onStop?.((signal) => {
      if (stopping) {
        logLine(io, 'WARN', `${signal} again: starting no new host; hosts in flight get a few seconds, then what came back is stored`);
        hurry.abort();
        return;
      }
      stopping = signal;
      logLine(io, 'INFO', `${signal}: finishing this cycle, then exiting (${signal} again to stop sooner)`);
      wake.now();
    }) ?? (() => undefined);
  const unsubscribeHangup =
    io.onHangup?.(() => {
      reload = true;
      logLine(io, 'INFO', 'SIGHUP: config.xml is read again at the next cycle');
    }) ?? (() => undefined);

  const states = new Map<string, string>();
  let cycle = 0;
  let overruns = 0;
  logLine(io, 'INFO', `polling ${describeCount(hosts.length)} every ${formatDuration(everyMs)} (pid ${process.pid}); cycles start on multiples of ${formatDuration(everyMs)}`);
  try {
    for (;;) {
      if (reload) {
        reload = false;
        const next = reloadConfig(options, config, io);
        if (next) {
          await transports.close();
          config = next.config;
          hosts = next.hosts;
          transports = openWarm(config, keys, io, everyMs);
          checkDescriptors(hosts, io);
        }
      }
      cycle++;
      const startedAt = io.clock();
      const outcome = await runCycle(config, hosts, store, keys, transports, io, hurry.signal);
      logStateChanges(outcome.run.polls, states, io);
      const took = io.clock() - startedAt;
      // The first cycle starts at once, off the schedule: it cannot overrun a boundary it did not start on.
      const next = cycle === 1 ? { at: nextBoundary(io.clock(), everyMs), skipped: 0 } : nextCycle(startedAt, io.clock(), everyMs);
      if (next.skipped > 0) {
        overruns++;
        logLine(io, 'WARN', `cycle ${cycle} took ${formatSeconds(took)}, longer than --every ${formatDuration(everyMs)}: ${next.skipped} cycle(s) skipped (${overruns} overrun(s) so far)`);
      }
      writeCycleSamples(store, io, took, overruns);
      logLine(io, 'INFO', `cycle ${cycle}: ${describeCycle(outcome.run, took)}`);
      if (stopping || hurry.signal.aborted) break;
      // Retention, at most once an hour, in the wait before the next cycle and never through it.
      const spare = Math.min(AUTO_PRUNE_BUDGET_MS, (next.at - io.clock()) / 2);
      if (spare >= MIN_PRUNE_SPARE_MS) pruneAfterRun(config, store, io, spare);
      await wake.sleepUntil(next.at, io);
      if (stopping) break;
    }
  } finally {
    unsubscribeStop();
    unsubscribeHangup();
    await transports.close();
    lock.release();
    store.close();
  }
  logLine(io, 'INFO', `stopped by ${stopping ?? 'request'} after ${cycle} cycle(s)`);
  return 0;
}

interface WarmTransports {
  readonly of: (host: Host) => WarmTransport;
  readonly close: () => Promise<void>;
}

function openWarm(config: Config, keys: KeyStore, io: Io, everyMs: number): WarmTransports {
  const cold = openTransports(config, keys, io);
  const backoff = { baseMs: everyMs, maxMs: Math.max(everyMs, MAX_BACKOFF_MS) };
  const local = new WarmTransport(cold.local, io.clock, backoff);
  const ssh = new WarmTransport(cold.ssh, io.clock, backoff);
  return {
    of: (host) => (host.transport === 'local' ? local : ssh),
    close: async () => {
      await Promise.all([local.close(), ssh.close()]);
    },
  };
}

interface CycleOutcome {
  readonly run: RunRecord;
}

/** One cycle: poll every host over the warm transports, store, evaluate alerts, send mail. */
async function runCycle(config: Config, hosts: readonly Host[], store: Store, keys: KeyStore, transports: WarmTransports, io: Io, hurry: AbortSignal): Promise<CycleOutcome> {
  for (const transport of new Set(hosts.map(transports.of))) transport.newCycle();
  const run = await pollHosts(
    hosts,
    {
      settings: config.settings,
      keys,
      transportOf: transports.of,
      lastCounters: (host) => store.lastCounters(host),
      clock: io.clock,
    },
    { concurrency: config.settings.concurrency, stop: hurry, sleep: io.sleep },
  );
  // A cycle that cannot be stored or alerted on is logged; the next cycle tries again.
  try {
    store.writeRun(run);
  } catch (err) {
    logLine(io, 'ERROR', `cycle not stored: ${errorMessage(err)}`);
    return { run };
  }
  if (hurry.aborted) return { run };
  try {
    await alertAndNotify(config, store, run, io);
  } catch (err) {
    logLine(io, 'ERROR', `alerts and mail of this cycle failed: ${errorMessage(err)}`);
    return { run };
  }
  await heartbeatAfterRun(config, store, io, run, hurry); // never throws; throttled by <heartbeat every>
  return { run };
}

/** The config as read now, or undefined (logged) when it cannot replace the running one. */
function reloadConfig(options: RunOptions, current: Config, io: Io): { config: Config; hosts: Host[] } | undefined {
  try {
    const config = loadConfig(options.config);
    const hosts = selectHosts(config, options.host, options.group);
    for (const key of ['database', 'keysDir'] as const) {
      if (config.settings[key] !== current.settings[key]) {
        logLine(io, 'ERROR', `config.xml not reloaded: ${key} changed (${current.settings[key]} -> ${config.settings[key]}); restart metrix run to use it; keeping the config in use`);
        return undefined;
      }
    }
    logLine(io, 'INFO', `config.xml reloaded: ${describeCount(hosts.length)}`);
    return { config, hosts: [...hosts] };
  } catch (err) {
    const details = err instanceof MetrixError && err.details.length > 0 ? ` (${err.details.join('; ')})` : '';
    logLine(io, 'ERROR', `config.xml not reloaded: ${errorMessage(err)}${details}; keeping the config in use`);
    return undefined;
  }
}

/**
 * Says plainly when the hosts need more descriptors than the process may open. Node raises its
 * soft open-files limit to the hard one at start-up, so the hard limit is what there is.
 */
function checkDescriptors(hosts: readonly Host[], io: Io): void {
  const limits = fdLimits();
  const local = hosts.filter((host) => host.transport === 'local').length;
  const needed = descriptorsNeeded(hosts.length - local, local);
  if (limits !== undefined && needed > limits.soft) {
    logLine(io, 'WARN', `${describeCount(hosts.length)} keep about ${needed} files open, above this process's limit of ${limits.soft} (hard limit ${limits.hard}): hosts beyond it will fail with "too many open files"; raise LimitNOFILE= in the systemd unit (or ulimit -Hn)`);
  }
}

/** A host's state for the log: up, or the reason it failed. Only changes are logged, not every cycle. */
function logStateChanges(polls: readonly PollRecord[], states: Map<string, string>, io: Io): void {
  for (const poll of polls) {
    const state = poll.failure ? poll.failure.reason : 'up';
    const before = states.get(poll.host);
    states.set(poll.host, state);
    if (state === before) continue;
    if (poll.failure) logLine(io, 'WARN', `down: ${poll.failure.reason}: ${poll.failure.message}`, poll.host);
    else if (before !== undefined) logLine(io, 'INFO', `up again (was ${before})`, poll.host);
    for (const warning of poll.warnings ?? []) logLine(io, 'WARN', warning, poll.host);
  }
}

function writeCycleSamples(store: Store, io: Io, tookMs: number, overruns: number): void {
  try {
    store.writeSamples(POLLER_HOST, io.clock(), [
      { m: 'metrix_cycle_duration_sec', v: Math.round(tookMs) / 1000 },
      { m: 'metrix_cycle_overruns', v: overruns },
    ]);
  } catch (err) {
    logLine(io, 'ERROR', `cycle figures not stored: ${errorMessage(err)}`);
  }
}

function describeCycle(run: RunRecord, tookMs: number): string {
  const failed = run.polls.filter((poll) => poll.failure);
  const reasons = new Map<string, number>();
  for (const poll of failed) reasons.set(poll.failure!.reason, (reasons.get(poll.failure!.reason) ?? 0) + 1);
  const detail = reasons.size > 0 ? ` (${[...reasons].map(([reason, n]) => `${reason} ${n}`).join(', ')})` : '';
  const notPolled = run.stopped && run.stopped.notPolled.length > 0 ? `, ${run.stopped.notPolled.length} not polled` : '';
  return `${describeCount(run.polls.length)} in ${formatSeconds(tookMs)}: ${run.polls.length - failed.length} ok, ${failed.length} failed${detail}${notPolled}`;
}

const describeCount = (n: number): string => `${n} ${n === 1 ? 'host' : 'hosts'}`;
const formatSeconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/** The wait between cycles, cut short by a stop. */
class Wakeup {
  #wake: (() => void) | undefined;

  now(): void {
    this.#wake?.();
  }

  /** Sleeps until the clock reaches `at`, in slices, so a fake clock and a stop both end it. */
  async sleepUntil(at: number, io: Io): Promise<void> {
    const woken = new Promise<void>((resolve) => (this.#wake = resolve));
    let stop = false;
    void woken.then(() => (stop = true));
    while (!stop && io.clock() < at) {
      await Promise.race([io.sleep(Math.min(at - io.clock(), 1000)), woken]);
    }
    this.#wake = undefined;
  }
}
