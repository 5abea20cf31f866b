import { MetrixError } from '../errors.js';
import type { Io } from './io.js';

/** An error SQLite raised (disk full, database locked, corrupt file): the machine's problem, not a bug. */
function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

export function exitCodeOf(err: unknown): number {
  return err instanceof MetrixError ? err.exitCode : 1;
}

/** One line for the error, one indented line per detail; a stack only for bugs. */
export function reportError(err: unknown, io: Io): void {
  if (err instanceof MetrixError) {
    io.err(`metrix: ${err.message}\n${err.details.map((line) => `  ${line}\n`).join('')}`);
    return;
  }
  const code = sqliteCode(err);
  if (code) {
    io.err(`metrix: database error (${code}): ${(err as Error).message}; nothing of this run was half-written (check disk space, file permissions, and whether another program holds the database)\n`);
    return;
  }
  io.err(`metrix: internal error (please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
}
