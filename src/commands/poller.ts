import { specForHost } from '../checks/spec-for-host.js';
import { logLine, type Io } from '../cli/io.js';
import { selectHosts } from '../cli/select-hosts.js';
import { checkDuration, DURATION_RANGES } from '../config/duration.js';
import { loadConfig } from '../config/load.js';
import type { Config, Host } from '../config/types.js';
import { KeyStore } from '../crypto/key-store.js';
import { MetrixError, usageError } from '../errors.js';
import type { PollContext } from '../poll/poll-host.js';
import type { Transport } from '../poll/transport.js';
import { currentHolder } from '../store/run-lock.js';
import { Store } from '../store/store.js';
import { formatUtc } from '../text/time.js';

/** What `execute` and `run` both start from: the config, the hosts chosen, keys, the store and its lock. */
export interface Poller {
  readonly config: Config;
  readonly hosts: readonly Host[];
  readonly keys: KeyStore;
  readonly store: Store;
  /** Releases the run lock; the caller closes the store after it. */
  readonly releaseLock: () => void;
  /** Marks the lock as held now; false when it is no longer ours (see run-lock.ts). */
  readonly refreshLock: (now: number) => boolean;
}

export interface PollerOptions {
  readonly config: string;
  readonly host: readonly string[];
  readonly group: readonly string[];
  readonly wait: string;
}

/** Checks `--wait` (and any other duration option) before anything is created: bad usage does nothing. */
export function durationOption(name: string, text: string, range: (typeof DURATION_RANGES)[keyof typeof DURATION_RANGES]): number {
  const checked = checkDuration(text, range);
  if ('error' in checked) throw usageError(`${name} "${text}": ${checked.error}`);
  return checked.value;
}

/**
 * Loads the config, selects the hosts, opens the keys and the store, and takes the one run
 * lock of the database, waiting up to --wait for a poller that holds it (exit 3 naming it).
 */
export async function openPoller(options: PollerOptions, io: Io, skipped: string): Promise<Poller> {
  const config = loadConfig(options.config);
  const hosts = selectHosts(config, options.host, options.group);
  const waitMs = durationOption('--wait', options.wait, DURATION_RANGES.wait);
  const keys = openKeys(config, io);
  const store = Store.open(config.settings.database);
  const lock = await store.acquireRunLock(currentHolder(), waitMs, { clock: io.clock, sleep: io.sleep });
  if (!lock.acquired) {
    store.close();
    const { pid, machine, acquiredAt } = lock.holder;
    throw new MetrixError('LOCKED', `another metrix execute or run is polling this database (pid ${pid} on ${machine}, since ${formatUtc(acquiredAt)}); waited ${options.wait}, ${skipped}`);
  }
  // From here on every stored row is queued for remote write too (in the same transaction).
  store.remoteWrite.enabled = config.remoteWrite !== undefined;
  if (lock.tookOverFrom) logLine(io, 'WARN', `the run of pid ${lock.tookOverFrom.pid} on ${lock.tookOverFrom.machine} ended without releasing its lock (crashed or killed); took it over`);
  return { config, hosts, keys, store, releaseLock: lock.release, refreshLock: lock.refresh };
}

/** The keys directory of the config; a first run creates it and says so. */
export function openKeys(config: Config, io: Io): KeyStore {
  const { store: keys, created } = KeyStore.open(config.settings.keysDir);
  if (created) logLine(io, 'INFO', `created keys directory ${config.settings.keysDir} with a new poller key pair`);
  return keys;
}

/** How a poll reaches hosts and what it knows of them: the same for a cold execute and a warm cycle. */
export function pollContext(config: Config, keys: KeyStore, store: Store, io: Io, transportOf: (host: Host) => Transport): PollContext {
  return { settings: config.settings, keys, transportOf, lastCounters: (host) => store.lastCounters(host), clock: io.clock, specOf: (host) => specForHost(config, host) };
}
