import { createHash } from 'crypto';
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'fs';
import type { LogSpec } from './checks-spec.js';
import { compileLogPattern, lineMatches } from './logs-pattern.js';
import type { LogResult } from './protocol.js';

// Follows one log file from poll to poll, like `tail -F` run in steps:
//   - first sight (or a new path): start at the end; old history is not news and raising an
//     alert on a year of kern.log at the first poll would help no one;
//   - rotation by rename (the path now names another inode): the rest of the old file is read
//     from <path>.1 or <path>.0 when one of them is that inode, then the new file from its start;
//   - copytruncate (same inode, shorter than where we were, or its first bytes changed): from 0;
//   - at most MAX_READ_BYTES per poll; the rest waits for the next poll (said in the note);
//   - a partial last line waits for its newline; a line longer than the read is cut and the
//     rest of it skipped; bytes that are not UTF-8 become U+FFFD.

export const MAX_READ_BYTES = 1024 * 1024;
/** Matching lines returned per poll (the last ones), each cut to MAX_LINE_CHARS. */
export const MAX_LINES = 5;
export const MAX_LINE_CHARS = 500;
const HEAD_BYTES = 64;

/** What is remembered of one log between polls (state file section "logs"). */
export interface LogMemory {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
  readonly offset: number;
  /** sha1 of the first min(offset, HEAD_BYTES) bytes: a file rewritten in place shows here. */
  readonly head: string;
  /** The read stopped inside a line already counted: skip to its end first. */
  readonly midLine: boolean;
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && isFinite(value);

/** A remembered place read back (state file, a helper's answer): undefined when damaged. */
export function logMemoryOf(value: unknown): LogMemory | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const m = value as { [key: string]: unknown };
  if (typeof m.path !== 'string' || !isNumber(m.dev) || !isNumber(m.ino) || !isNumber(m.offset) || m.offset < 0 || typeof m.head !== 'string') return undefined;
  return { path: m.path, dev: m.dev, ino: m.ino, offset: m.offset, head: m.head, midLine: m.midLine === true };
}

export interface FollowDeps {
  readonly now: () => number;
  /** Matching stops for this poll at this time (host clock); it goes on where it stopped next time. */
  readonly doneBy: number;
}

interface Scan {
  matches: number;
  lines: string[];
  stoppedEarly: boolean;
}

function headHash(fd: number, length: number): string {
  const buffer = Buffer.alloc(Math.min(length, HEAD_BYTES));
  const n = buffer.length === 0 ? 0 : readSync(fd, buffer, 0, buffer.length, 0);
  return createHash('sha1').update(buffer.slice(0, n)).digest('hex');
}

function openLog(path: string): { fd: number; stats: Stats } | { problem: string } {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO planted at the path must not hang the poll.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? 'no such file (yet)' : `cannot open: ${code || String(err)}` };
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    return { problem: 'not a regular file' };
  }
  return { fd, stats };
}

/**
 * Reads lines from `offset` (at most `budget` bytes) and matches them. Returns where the next
 * read starts: after the last whole line taken, or past a cut line.
 */
function scanFrom(fd: number, offset: number, size: number, budget: number, skipFirst: boolean, pattern: RegExp, scan: Scan, deps: FollowDeps): { offset: number; midLine: boolean } {
  const length = Math.min(size - offset, budget);
  if (length <= 0) return { offset, midLine: skipFirst };
  const buffer = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buffer, got, length - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  let start = 0;
  let midLine = false;
  if (skipFirst) {
    const newline = buffer.indexOf(10, 0);
    if (newline < 0 || newline >= got) return { offset: offset + got, midLine: true };
    start = newline + 1;
  }
  while (start < got) {
    // Before every line: one hostile line may be slow (logs-pattern.ts), a million quick ones
    // are not, and a line started after the time is up would keep the poll waiting for it.
    if (deps.now() > deps.doneBy) {
      scan.stoppedEarly = true;
      break;
    }
    let end = buffer.indexOf(10, start);
    if (end >= got) end = -1;
    if (end < 0) {
      // No newline: a partial line waits for the rest, unless it already fills the whole read.
      if (start > 0 || got < budget) break;
      end = got;
      midLine = true;
    }
    const line = buffer.toString('utf8', start, Math.min(end, start + 4 * MAX_LINE_CHARS + 4096));
    if (lineMatches(pattern, line)) {
      scan.matches++;
      scan.lines.push(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS - 1)}…` : line);
      if (scan.lines.length > MAX_LINES) scan.lines.shift();
    }
    start = end + 1;
  }
  return { offset: offset + Math.min(start, got), midLine };
}

/** Sees whether the inode the path used to name is still findable under a rotated name. */
function rotatedCopy(memory: LogMemory): string | undefined {
  for (const candidate of [`${memory.path}.1`, `${memory.path}.0`]) {
    try {
      const stats = statSync(candidate);
      if (stats.ino === memory.ino && stats.dev === memory.dev) return candidate;
    } catch {
      // Not there: try the next name.
    }
  }
  return undefined;
}

/** One poll of one log; `warning` says what a sysadmin should see (a missing file, lines not read this poll). */
export interface Followed {
  readonly result: LogResult;
  readonly memory: LogMemory | undefined;
  readonly warning?: string;
}

export function followLog(log: LogSpec, memory: LogMemory | undefined, deps: FollowDeps): Followed {
  const opened = openLog(log.path);
  // A file missing in the middle of a rotation: keep the old place, it may come back.
  if ('problem' in opened) return { result: { name: log.name, matches: 0, lines: [], note: opened.problem }, memory, warning: `${log.path}: ${opened.problem}` };
  const { fd, stats } = opened;
  const pattern = compileLogPattern(log.match, log.ignoreCase);
  const scan: Scan = { matches: 0, lines: [], stoppedEarly: false };
  const notes: string[] = [];
  let warning: string | undefined;
  try {
    if (memory === undefined || memory.path !== log.path) {
      const fresh = { path: log.path, dev: stats.dev, ino: stats.ino, offset: stats.size, head: headHash(fd, stats.size), midLine: false };
      return { result: { name: log.name, matches: 0, lines: [], note: `first sight: following from the end (${stats.size} bytes not read)` }, memory: fresh };
    }
    let budget = MAX_READ_BYTES;
    let from = memory.offset;
    let skip = memory.midLine;
    if (stats.ino !== memory.ino || stats.dev !== memory.dev) {
      const old = rotatedCopy(memory);
      if (old !== undefined) {
        const previous = openLog(old);
        if (!('problem' in previous)) {
          try {
            const done = scanFrom(previous.fd, memory.offset, previous.stats.size, budget, memory.midLine, pattern, scan, deps);
            budget -= done.offset - memory.offset;
            if (done.offset < previous.stats.size) notes.push(`rotated: ${previous.stats.size - done.offset} bytes of ${old} not read`);
          } finally {
            closeSync(previous.fd);
          }
        }
        notes.push(`rotated (renamed to ${old}); reading the new file from its start`);
      } else notes.push('rotated (the old file was not found as .1 or .0); reading the new file from its start');
      from = 0;
      skip = false;
    } else if (stats.size < memory.offset || headHash(fd, memory.offset) !== memory.head) {
      notes.push('truncated (copytruncate?); reading from the start');
      from = 0;
      skip = false;
    }
    const next = scanFrom(fd, from, stats.size, Math.max(0, budget), skip, pattern, scan, deps);
    const left = stats.size - next.offset;
    if (scan.stoppedEarly) warning = `matching ran out of time: ${left} bytes left for the next poll`;
    else if (stats.size - from > budget) warning = `read capped at ${MAX_READ_BYTES} bytes: ${left} bytes left for the next poll`;
    if (warning !== undefined) notes.push(warning);
    const kept: LogMemory = { path: log.path, dev: stats.dev, ino: stats.ino, offset: next.offset, head: headHash(fd, next.offset), midLine: next.midLine };
    const result: LogResult = { name: log.name, matches: scan.matches, lines: scan.lines };
    const followed = { result: notes.length > 0 ? { ...result, note: notes.join('; ') } : result, memory: kept };
    return warning === undefined ? followed : { ...followed, warning: `${log.path}: ${warning}` };
  } finally {
    closeSync(fd);
  }
}

/**
 * followLog for one log of a poll, never throwing: when the time for logs is already spent the
 * log is not opened (matching is synchronous: no timer could stop it), and a read that fails
 * is the log's own note. Either way the log keeps its place for the next poll.
 */
export function followInTime(log: LogSpec, memory: LogMemory | undefined, deps: FollowDeps): Followed {
  const unread = (why: string): Followed => ({ result: { name: log.name, matches: 0, lines: [], note: why }, memory, warning: `${log.path}: ${why}` });
  if (deps.now() > deps.doneBy) return unread('not read this poll: the time for logs ran out');
  try {
    return followLog(log, memory, deps);
  } catch (err) {
    return unread(`cannot read: ${err instanceof Error ? err.message : String(err)}`);
  }
}
