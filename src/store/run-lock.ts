import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Db } from './database.js';

/** Who runs an execute: a pid is only meaningful with the machine and the process' start time. */
export interface Holder {
  readonly pid: number;
  readonly machine: string;
  /** Start time of the process in clock ticks since boot (/proc/PID/stat field 22); '' when unknown. */
  readonly procStart: string;
}

export interface LockDeps {
  readonly clock: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Whether the holder still runs; the default asks the kernel. */
  readonly isRunning?: (holder: Holder) => boolean;
}

export type LockResult =
  | {
      readonly acquired: true;
      readonly release: () => void;
      /**
       * Marks the lock as still held now (a long-lived holder, metrix run, calls it every cycle, so
       * another machine never takes it as stale); false when it is no longer ours.
       */
      readonly refresh: (now: number) => boolean;
      readonly tookOverFrom: (Holder & { acquiredAt: number }) | undefined;
    }
  | { readonly acquired: false; readonly holder: Holder & { acquiredAt: number } };

/** Locks older than this on another machine are taken to be dead (no way to ask its kernel). */
const FOREIGN_LOCK_STALE_MS = 60 * 60_000;
const RETRY_MS = 250;

export function procStartOf(pid: number): string {
  try {
    // Field 22, counted after the ")" that ends the command name (which may hold spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

export function currentHolder(): Holder {
  return { pid: process.pid, machine: hostname(), procStart: procStartOf(process.pid) };
}

function kernelSaysRunning(holder: Holder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // Same pid but another start time: the holder died and its pid was reused.
  return holder.procStart === '' || procStartOf(holder.pid) === holder.procStart;
}

/**
 * Takes the one execute lock in the database, waiting up to `waitMs` for a live holder to
 * finish. A holder that died (crash, kill -9) is taken over, and the result says so.
 */
export async function acquireRunLock(db: Db, me: Holder, waitMs: number, deps: LockDeps): Promise<LockResult> {
  const isRunning = deps.isRunning ?? kernelSaysRunning;
  const select = db.prepare<[], { pid: number; machine: string; proc_start: string; acquired_at: number }>('SELECT pid, machine, proc_start, acquired_at FROM run_lock WHERE id = 1');
  const upsert = db.prepare('INSERT OR REPLACE INTO run_lock (id, pid, machine, proc_start, acquired_at) VALUES (1, ?, ?, ?, ?)');
  const tryOnce = db.transaction((): LockResult => {
    const row = select.get();
    const holder = row && { pid: row.pid, machine: row.machine, procStart: row.proc_start, acquiredAt: row.acquired_at };
    const alive = holder && (holder.machine === me.machine ? isRunning(holder) : deps.clock() - holder.acquiredAt < FOREIGN_LOCK_STALE_MS);
    if (holder && alive) return { acquired: false, holder };
    upsert.run(me.pid, me.machine, me.procStart, deps.clock());
    const release = (): void => void db.prepare('DELETE FROM run_lock WHERE id = 1 AND pid = ? AND machine = ?').run(me.pid, me.machine);
    const refresh = (now: number): boolean =>
      db.prepare('UPDATE run_lock SET acquired_at = ? WHERE id = 1 AND pid = ? AND machine = ?').run(now, me.pid, me.machine).changes === 1;
    return { acquired: true, release, refresh, tookOverFrom: holder };
  });
  const deadline = deps.clock() + waitMs;
  for (;;) {
    const result = tryOnce.immediate();
    if (result.acquired || deps.clock() >= deadline) return result;
    await deps.sleep(Math.min(RETRY_MS, deadline - deps.clock()));
  }
}
