import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Io, StopSignal } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/**
 * `metrix run` in this process, on a clock that skips the waits between cycles: cycles run
 * back to back, each on its own wall-clock boundary, while everything inside a cycle (SSH,
 * collectors, deadlines) runs in real time. Signals are sent through the Io, as the process's
 * own handlers would.
 */
export interface RunHandle {
  readonly done: Promise<number>;
  readonly stderr: () => string;
  readonly clock: () => number;
  /** Resolves once stderr matches (checked on every line written); rejects if the run ends first. */
  waitFor(pattern: RegExp): Promise<void>;
  /** Resolves when cycle `n` has been logged. */
  waitForCycle(n: number): Promise<void>;
  /** Where stderr ends now, for waitForAfter. */
  mark(): number;
  /** Resolves once what stderr gained after `mark` matches. */
  waitForAfter(mark: number, pattern: RegExp): Promise<void>;
  signal(signal: StopSignal): void;
  hangup(): void;
}

export function startRun(cwd: string, args: readonly string[]): RunHandle {
  let offset = 0;
  const clock = (): number => Date.now() + offset;
  let err = '';
  let ended = false;
  const waiters = new Set<() => void>();
  const stopListeners = new Set<(signal: StopSignal) => void>();
  const hangupListeners = new Set<() => void>();
  const io: Io = {
    out: () => undefined,
    err: (text) => {
      err += text;
      for (const wake of [...waiters]) wake();
    },
    isTty: false,
    env: {},
    cwd,
    clock,
    sleep: async (ms) => {
      offset += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
    onStop: (listener) => {
      stopListeners.add(listener);
      return () => void stopListeners.delete(listener);
    },
    onHangup: (listener) => {
      hangupListeners.add(listener);
      return () => void hangupListeners.delete(listener);
    },
  };
  const done = main(['node', 'metrix', 'run', ...args], io).finally(() => {
    ended = true;
    for (const wake of [...waiters]) wake();
  });
  const waitFor = (pattern: RegExp, from = 0): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(err.slice(from))) {
          waiters.delete(check);
          resolve();
        } else if (ended) {
          waiters.delete(check);
          reject(new Error(`metrix run ended before ${pattern}:\n${err}`));
        }
      };
      waiters.add(check);
      check();
    });
  return {
    done,
    stderr: () => err,
    clock,
    waitFor: (pattern) => waitFor(pattern),
    waitForCycle: (n) => waitFor(new RegExp(`INFO cycle ${n}: `)),
    mark: () => err.length,
    waitForAfter: (mark, pattern) => waitFor(pattern, mark),
    signal: (signal) => stopListeners.forEach((listener) => listener(signal)),
    hangup: () => hangupListeners.forEach((listener) => listener()),
  };
}

/** Pids of the resident collectors whose command line mentions `needle` (a remoteDir or a key path). */
export function residentPids(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes('--serve') && argv.some((arg) => arg.includes(needle))) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids.sort((a, b) => a - b);
}

export interface StoredPolls {
  /** Per host: how many polls, and how many were ok. */
  readonly byHost: Record<string, { polls: number; ok: number; reasons: string[] }>;
  /** Runs whose polls rows do not add up to the counts the run row claims. */
  readonly inconsistentRuns: number;
  readonly runs: number;
  readonly locks: number;
}

export function storedPolls(dir: string): StoredPolls {
  const db = new Database(join(dir, 'metrix.db'), { readonly: true });
  try {
    const byHost: StoredPolls['byHost'] = {};
    const rows = db.prepare('SELECT host, ok, reason FROM polls ORDER BY ts').all() as Array<{ host: string; ok: number; reason: string | null }>;
    for (const row of rows) {
      const entry = (byHost[row.host] ??= { polls: 0, ok: 0, reasons: [] });
      entry.polls++;
      entry.ok += row.ok;
      if (row.reason) entry.reasons.push(row.reason);
    }
    const inconsistentRuns = (db
      .prepare(`SELECT COUNT(*) AS n FROM runs r WHERE hosts_ok != (SELECT COUNT(*) FROM polls p WHERE p.run_id = r.id AND p.ok = 1)
                 OR hosts_failed != (SELECT COUNT(*) FROM polls p WHERE p.run_id = r.id AND p.ok = 0)`)
      .get() as { n: number }).n;
    const runs = (db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;
    const locks = (db.prepare('SELECT COUNT(*) AS n FROM run_lock').get() as { n: number }).n;
    return { byHost, inconsistentRuns, runs, locks };
  } finally {
    db.close();
  }
}
