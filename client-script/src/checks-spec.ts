import { logPatternProblem } from './logs-pattern.js';

// What the poller tells a collector to run besides its fixed metrics: the host's checks and
// watched logs, as config.xml selects them for that host. It travels with every poll, as
// `--spec <base64url JSON>` (one-shot run: on the command line; resident: in the request
// line), so a config change takes effect at the next poll, with no upload, and a host never
// runs a check it was not asked for in this poll. Both sides check it with the same code:
// the poller before it sends, the collector before it runs anything (it trusts no input).

export const SPEC_VERSION = 1;

/** Bounds on one host's spec; config.xml is checked against the same numbers. */
export const SPEC_LIMITS = {
  checks: 64,
  logs: 64,
  nameLength: 128,
  commandLength: 2048,
  pathLength: 1024,
  matchLength: 512,
  /** `every`: from one second to one day. */
  minEveryMs: 1000,
  maxEveryMs: 86_400_000,
  /** A check's own time limit: from one second to ten minutes (always below the poll's deadline too). */
  minTimeoutMs: 1000,
  maxTimeoutMs: 600_000,
  /** The base64url text of a whole spec: well inside one command-line argument (128 KiB on Linux). */
  encodedBytes: 64 * 1024,
} as const;

export interface CheckSpec {
  readonly name: string;
  /** Run by /bin/sh -c, as Nagios runs its plugin command lines. */
  readonly command: string;
  readonly everyMs: number;
  readonly timeoutMs: number;
}

export interface LogSpec {
  readonly name: string;
  /** Absolute path of the file on the host. */
  readonly path: string;
  /** A JavaScript regular expression from the safe subset (logs-pattern.ts). */
  readonly match: string;
  readonly ignoreCase: boolean;
}

export interface WatchSpec {
  readonly v: number;
  readonly checks: readonly CheckSpec[];
  readonly logs: readonly LogSpec[];
}

const NAME = /^[A-Za-z0-9._-]+$/;

type Obj = Readonly<Record<string, unknown>>;
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const isWholeIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Math.floor(value) === value && value >= min && value <= max;

function nameProblem(value: unknown, seen: { [name: string]: boolean }): string | undefined {
  if (typeof value !== 'string' || value.length > SPEC_LIMITS.nameLength || !NAME.test(value)) return 'a name is not letters, digits, ".", "_", "-"';
  if (seen[value]) return `name "${value}" appears twice`;
  seen[value] = true;
  return undefined;
}

// Plain text of printable characters: no NUL or line breaks sneak into a shell line or a path.
const hasControl = (text: string): boolean => /[\u0000-\u001f\u007f]/.test(text);

function checkProblem(value: unknown, seen: { [name: string]: boolean }): string | undefined {
  if (!isObject(value)) return 'a check is not an object';
  const named = nameProblem(value.name, seen);
  if (named) return `check: ${named}`;
  const where = `check "${value.name}"`;
  const { command, everyMs, timeoutMs } = value;
  if (typeof command !== 'string' || command.trim() === '' || command.length > SPEC_LIMITS.commandLength || hasControl(command)) {
    return `${where}: command is not one line of at most ${SPEC_LIMITS.commandLength} characters`;
  }
  if (!isWholeIn(everyMs, SPEC_LIMITS.minEveryMs, SPEC_LIMITS.maxEveryMs)) return `${where}: every is not ${SPEC_LIMITS.minEveryMs}..${SPEC_LIMITS.maxEveryMs} ms`;
  if (!isWholeIn(timeoutMs, SPEC_LIMITS.minTimeoutMs, SPEC_LIMITS.maxTimeoutMs)) return `${where}: timeout is not ${SPEC_LIMITS.minTimeoutMs}..${SPEC_LIMITS.maxTimeoutMs} ms`;
  return undefined;
}

function logProblem(value: unknown, seen: { [name: string]: boolean }): string | undefined {
  if (!isObject(value)) return 'a log is not an object';
  const named = nameProblem(value.name, seen);
  if (named) return `log: ${named}`;
  const where = `log "${value.name}"`;
  const { path, match, ignoreCase } = value;
  if (typeof path !== 'string' || path.charAt(0) !== '/' || path.length > SPEC_LIMITS.pathLength || hasControl(path)) {
    return `${where}: path is not an absolute path of at most ${SPEC_LIMITS.pathLength} characters`;
  }
  if (typeof match !== 'string') return `${where}: match is not a string`;
  const pattern = logPatternProblem(match);
  if (pattern) return `${where}: match ${pattern}`;
  if (typeof ignoreCase !== 'boolean') return `${where}: ignoreCase is not true or false`;
  return undefined;
}

/** Checks a decoded spec field by field; returns it rebuilt from checked fields, or the first problem. */
export function checkSpec(value: unknown): { spec: WatchSpec } | { problem: string } {
  if (!isObject(value) || value.v !== SPEC_VERSION) return { problem: `not a version ${SPEC_VERSION} spec` };
  const { checks, logs } = value;
  if (!Array.isArray(checks) || checks.length > SPEC_LIMITS.checks) return { problem: `checks is not a list of at most ${SPEC_LIMITS.checks}` };
  if (!Array.isArray(logs) || logs.length > SPEC_LIMITS.logs) return { problem: `logs is not a list of at most ${SPEC_LIMITS.logs}` };
  const checkNames: { [name: string]: boolean } = Object.create(null);
  const logNames: { [name: string]: boolean } = Object.create(null);
  for (const check of checks) {
    const problem = checkProblem(check, checkNames);
    if (problem) return { problem };
  }
  for (const log of logs) {
    const problem = logProblem(log, logNames);
    if (problem) return { problem };
  }
  return {
    spec: {
      v: SPEC_VERSION,
      checks: (checks as CheckSpec[]).map((c) => ({ name: c.name, command: c.command, everyMs: c.everyMs, timeoutMs: c.timeoutMs })),
      logs: (logs as LogSpec[]).map((l) => ({ name: l.name, path: l.path, match: l.match, ignoreCase: l.ignoreCase })),
    },
  };
}

/** The spec as the `--spec` argument carries it. */
export function encodeSpec(spec: WatchSpec): string {
  return Buffer.from(JSON.stringify(spec), 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Reads a `--spec` argument; never throws. */
export function decodeSpec(text: string): { spec: WatchSpec } | { problem: string } {
  if (text.length > SPEC_LIMITS.encodedBytes) return { problem: `longer than ${SPEC_LIMITS.encodedBytes} characters` };
  if (!BASE64URL.test(text)) return { problem: 'not base64url' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
  } catch {
    return { problem: 'not JSON' };
  }
  return checkSpec(json);
}

/** A short fingerprint of what a check runs: a remembered result of another command is not reused. */
export function checkIdentity(check: CheckSpec): string {
  return `${check.command}\u0000${check.timeoutMs}`;
}

/**
 * What a poll keeps of its deadline for itself (sealing, writing, the way back): checks must
 * be done this long before it. config.xml's check timeouts are held to the same figure.
 */
export function deadlineMargin(deadlineMs: number): number {
  return Math.min(2000, Math.floor(deadlineMs / 4));
}
