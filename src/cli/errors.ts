import { MetrixError } from '../errors.js';
import type { Io } from './io.js';

export function exitCodeOf(err: unknown): number {
  return err instanceof MetrixError ? err.exitCode : 1;
}

/** One line for the error, one indented line per detail; a stack only for bugs (not MetrixError). */
export function reportError(err: unknown, io: Io): void {
  if (err instanceof MetrixError) {
    io.err(`metrix: ${err.message}\n${err.details.map((line) => `  ${line}\n`).join('')}`);
    return;
  }
  io.err(`metrix: internal error (please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
}
