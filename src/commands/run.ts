import { statSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { Config, Host } from '../config/types.js';
import { DURATION_RANGES, formatDuration } from '../config/duration.js';
import type { KeyStore } from '../crypto/key-store.js';
import { logLine, type Io, type StopSignal } from '../cli/io.js';
import { descriptorsNeeded, fdLimits } from '../cli/fd-limit.js';
import { selectHosts } from '../cli/select-hosts.js';
import { pollHosts } from '../poll/run.js';
import type { PollRecord, RunRecord } from '../poll/records.js';
import { nextBoundary, nextCycle, Wakeup } from '../poll/schedule.js';
import { WarmTransport } from '../poll/warm-transport.js';
import { openTransports } from './transports.js';
import { durationOption, openKeys, openPoller, pollContext, type Poller } from './poller.js';
import { alertAndNotify } from '../notify/after-run.js';
import { heartbeatAfterRun } from '../notify/heartbeat.js';
import { AUTO_PRUNE_BUDGET_MS, pruneAfterRun } from '../retention/after-run.js';
import { POLLER_HOST } from '../alerts/self-monitoring.js';
import { REMOTE_WRITE_BUDGET_MS, remoteWriteAfterRun } from '../remote-write/after-run.js';
import type { Store } from '../store/store.js';
import { errorMessage, MetrixError } from '../errors.js';

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

/** A host that keeps failing is retried at least this often (or every cycle, if cycles are longer). */
const MAX_BACKOFF_MS = 5 * 60_000;
/** Cycles in a row whose results could not be stored before the run gives up (exit 1): systemd restarts it. */
const MAX_STORE_FAILURES = 5;

/**
 * `metrix run`: stay up and poll on a schedule. Connections stay open between cycles and each
 * host keeps one resident collector, so a cycle costs no handshake, no sshd session and no
 * Node start-up per host. Each cycle is a whole execute: poll, store, alerts, outbox, heartbeat.
 */
export async function run(options: RunOptions, io: Io): Promise<number> {
  const everyMs = durationOption('--every', options.every, DURATION_RANGES.every);
  // Signals are ours from the start: a SIGHUP while waiting for the lock must not kill us.
  const signals = watchSignals(io);
  try {
    return await runWith(await openPoller(options, io, 'not started'), options, everyMs, signals, io);
  } finally {
    signals.dispose();
  }
}

async function runWith(poller: Poller, options: RunOptions, everyMs: number, signals: Signals, io: Io): Promise<number> {
  const { store } = poller;
  let { config, hosts, keys } = poller;
  let keysSeen = keysIdentity(config);
  let transports = openWarm(config, keys, io, everyMs);
  const hostLog = new HostLog();
  let cycle = 0;
  let overruns = 0;
  let storeFailures = 0;
  checkDescriptors(hosts, io);
  logLine(io, 'INFO', `polling ${describeCount(hosts.length)} every ${formatDuration(everyMs)} (pid ${process.pid}); cycles start on multiples of ${formatDuration(everyMs)}`);
  try {
    for (;;) {
      if (signals.takeReload()) {
        const next = reloadConfig(options, config, io);
        if (next) {
          const reconnect = connectionsDiffer(config, next.config);
          if (reconnect) {
            const fresh = openWarm(next.config, keys, io, everyMs); // before the old ones go: if it throws, they stay
            await transports.close();
            transports = fresh;
          } else {
            transports.update(next.config.hosts, new Set(next.hosts.map((host) => host.name)));
          }
          config = next.config;
          hosts = next.hosts;
          store.remoteWrite.enabled = config.remoteWrite !== undefined;
          checkDescriptors(hosts, io);
        }
      }
      // An upload made host keys, or init --new-keys a poller key: read the keys directory again.
      const keysNow = keysIdentity(config);
      if (keysNow.poller !== keysSeen.poller || keysNow.hosts !== keysSeen.hosts) {
        keys = openKeys(config, io);
        if (keysNow.poller !== keysSeen.poller) logLine(io, 'INFO', `poller key in ${config.settings.keysDir} changed: keys read again`);
        keysSeen = keysNow;
      }
      cycle++;
      const startedAt = io.clock();
      if (!poller.refreshLock(startedAt)) {
        logLine(io, 'ERROR', 'the run lock of this database is no longer ours (another poller took it over); stopping');
        return 1;
      }
      const run = await runCycle(config, hosts, store, keys, transports, io, signals.hurry);
      if (run === undefined) {
        if (++storeFailures >= MAX_STORE_FAILURES) throw new MetrixError('STORE', `${storeFailures} cycles in a row could not be stored; stopping`);
      } else {
        storeFailures = 0;
        hostLog.note(run.polls, io);
      }
      const took = io.clock() - startedAt;
      // The first cycle starts at once, off the schedule: it cannot overrun a boundary it did not start on.
      const next = cycle === 1 ? { at: nextBoundary(io.clock(), everyMs), skipped: 0 } : nextCycle(startedAt, io.clock(), everyMs);
      if (next.skipped > 0) {
        overruns++;
        logLine(io, 'WARN', `cycle ${cycle} ran past the next start (it took ${formatSeconds(took)}, --every is ${formatDuration(everyMs)}): ${next.skipped} start(s) skipped, ${overruns} overrun(s) so far`);
      }
      writeCycleSamples(store, io, took, overruns);
      logLine(io, 'INFO', `cycle ${cycle}: ${run ? describeCycle(run, took) : `not stored (${formatSeconds(took)})`}`);
      if (signals.stopping) break;
      // Remote write, then retention (at most once an hour), in the wait before the next cycle and never through it.
      const sendBudget = Math.min(REMOTE_WRITE_BUDGET_MS, (next.at - io.clock()) / 2);
      if (run !== undefined && sendBudget > 0) await remoteWriteAfterRun(config, store, io, sendBudget, signals.hurry);
      const spare = Math.min(AUTO_PRUNE_BUDGET_MS, (next.at - io.clock()) / 2);
      if (run !== undefined && spare >= MIN_PRUNE_SPARE_MS) pruneAfterRun(config, store, io, spare);
      await signals.wakeup.sleepUntil(next.at, everyMs, io.clock, io.sleep);
      if (signals.stopping) break;
    }
  } finally {
    await transports.close();
    poller.releaseLock();
    store.close();
  }
  logLine(io, 'INFO', `stopped by ${signals.stopping} after ${cycle} cycle(s)`);
  return 0;
}

interface Signals {
  /** The first SIGTERM/SIGINT: finish the cycle, then stop. */
  readonly stopping: StopSignal | undefined;
  /** Aborted by a second one: no new host starts, mail left waits (the cycle stores what came back). */
  readonly hurry: AbortSignal;
  readonly wakeup: Wakeup;
  /** True once after each SIGHUP (any number of them): reload at this cycle boundary. */
  takeReload(): boolean;
  dispose(): void;
}

function watchSignals(io: Io): Signals {
  let stopping: StopSignal | undefined;
  let reload = false;
  const hurry = new AbortController();
  const wakeup = new Wakeup();
  const stopOff =
    io.onStop?.((signal) => {
      if (stopping) {
        if (!hurry.signal.aborted) logLine(io, 'WARN', `${signal} again: starting no new host; hosts in flight get a few seconds, then what came back is stored`);
        hurry.abort();
        return;
      }
      stopping = signal;
      logLine(io, 'INFO', `${signal}: finishing this cycle, then exiting (${signal} again to stop sooner)`);
      wakeup.now();
    }) ?? (() => undefined);
  const hangupOff =
    io.onHangup?.(() => {
      if (reload) return;
      reload = true;
      logLine(io, 'INFO', 'SIGHUP: config.xml is read again at the next cycle');
    }) ?? (() => undefined);
  return {
    get stopping() {
      return stopping;
    },
    hurry: hurry.signal,
    wakeup,
    takeReload: () => {
      const due = reload;
      reload = false;
      return due;
    },
    dispose: () => {
      stopOff();
      hangupOff();
    },
  };
}

interface WarmTransports {
  readonly of: (host: Host) => WarmTransport;
  /** After a reload that reaches the hosts kept the same way: the new host list (jump hosts), and the hosts still polled. */
  readonly update: (all: readonly Host[], polled: ReadonlySet<string>) => void;
  readonly close: () => Promise<void>;
}

function openWarm(config: Config, keys: KeyStore, io: Io, everyMs: number): WarmTransports {
  let all = config.hosts;
  const cold = openTransports(config, keys, io, (name) => all.find((host) => host.name === name));
  const options = {
    maxSkippedCycles: Math.max(1, Math.floor(MAX_BACKOFF_MS / everyMs)),
    // A resident left without requests (a poller gone without closing its connection) exits by itself.
    idleMs: Math.min(7 * 86_400_000, 3 * everyMs + config.settings.commandTimeoutMs + 60_000),
  };
  const local = new WarmTransport(cold.local, options);
  const ssh = new WarmTransport(cold.ssh, options);
  return {
    of: (host) => (host.transport === 'local' ? local : ssh),
    update: (hosts, polled) => {
      all = hosts;
      local.keepOnly(polled);
      ssh.keepOnly(polled);
    },
    close: async () => {
      await Promise.all([local.close(), ssh.close()]);
    },
  };
}

/**
 * One cycle: poll every host over the warm transports, store, evaluate alerts, send mail,
 * ping the heartbeat. A cycle whose results cannot be stored is logged and undefined.
 */
async function runCycle(config: Config, hosts: readonly Host[], store: Store, keys: KeyStore, transports: WarmTransports, io: Io, hurry: AbortSignal): Promise<RunRecord | undefined> {
  for (const transport of new Set(hosts.map(transports.of))) transport.newCycle();
  const run = await pollHosts(hosts, pollContext(config, keys, store, io, transports.of), { concurrency: config.settings.concurrency, stop: hurry, sleep: io.sleep });
  try {
    store.writeRun(run);
  } catch (err) {
    logLine(io, 'ERROR', `cycle not stored: ${errorMessage(err)}`);
    return undefined;
  }
  if (hurry.aborted) return run;
  try {
    await alertAndNotify(config, store, run, io, hurry);
  } catch (err) {
    logLine(io, 'ERROR', `alerts and mail of this cycle failed: ${errorMessage(err)}`);
    return run;
  }
  await heartbeatAfterRun(config, store, io, run, hurry); // never throws; throttled by <heartbeat every>
  return run;
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
 * Whether a reload changes how a host already polled is reached (address, port, user, key,
 * known_hosts, jump host…) or the limits of every poll: then connections and residents start
 * afresh. Hosts only added or removed, and changes to rules, mail or the heartbeat, keep the
 * others warm.
 */
function connectionsDiffer(before: Config, after: Config): boolean {
  const limits = (config: Config): string => JSON.stringify([config.settings.connectTimeoutMs, config.settings.commandTimeoutMs, config.settings.maxOutputBytes]);
  if (limits(before) !== limits(after)) return true;
  const old = new Map(before.hosts.map((host) => [host.name, JSON.stringify(host)]));
  return after.hosts.some((host) => old.has(host.name) && old.get(host.name) !== JSON.stringify(host));
}

/** What the keys directory is now: the poller key file, and the hosts' directory (an upload adds files there). */
function keysIdentity(config: Config): { poller: string; hosts: string } {
  const identity = (path: string): string => {
    try {
      const stats = statSync(path);
      return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
    } catch {
      return 'missing';
    }
  };
  return { poller: identity(join(config.settings.keysDir, 'poller.key')), hosts: identity(join(config.settings.keysDir, 'hosts')) };
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

/**
 * What the log says of hosts under metrix run: only changes, not every cycle — a host going
 * down (with why) or coming back, and a collector warning appearing or clearing.
 */
class HostLog {
  readonly #states = new Map<string, string>();
  readonly #warnings = new Map<string, ReadonlySet<string>>();

  note(polls: readonly PollRecord[], io: Io): void {
    for (const poll of polls) {
      const state = poll.failure ? poll.failure.reason : 'up';
      const before = this.#states.get(poll.host);
      this.#states.set(poll.host, state);
      if (state !== before) {
        if (poll.failure) logLine(io, 'WARN', `down: ${poll.failure.reason}: ${poll.failure.message}`, poll.host);
        else if (before !== undefined) logLine(io, 'INFO', `up again (was ${before})`, poll.host);
      }
      if (poll.failure) continue;
      const now = new Set(poll.warnings ?? []);
      const was = this.#warnings.get(poll.host) ?? new Set<string>();
      for (const warning of now) if (!was.has(warning)) logLine(io, 'WARN', warning, poll.host);
      for (const warning of was) if (!now.has(warning)) logLine(io, 'INFO', `cleared: ${warning}`, poll.host);
      this.#warnings.set(poll.host, now);
    }
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
