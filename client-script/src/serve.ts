import { statSync } from 'fs';
import { parseArgs, type Options } from './args.js';
import { SPEC_LIMITS, type WatchSpec } from './checks-spec.js';
import { usageFailure } from './failure.js';
import { pollOnce, prepare } from './run.js';

// The resident collector of `metrix run`: one process per host for as long as the poller
// keeps its SSH channel open. Each poll is one request line on stdin, written by the poller:
//   --challenge <base64> --deadline-ms N [--warmup-ms N] [--spec <base64url>]
// (the per-poll options of a one-shot run), answered by exactly one sealed line on stdout.
// Start-up (Node, the bundle, the keys, the shared key) is paid once, not on every poll.

/** Requests are a few dozen bytes, or up to a spec's cap with checks and logs; a longer line is not from the poller. */
export const MAX_REQUEST_BYTES = 4096 + SPEC_LIMITS.encodedBytes;
const REQUEST_OPTIONS = ['--challenge', '--deadline-ms', '--warmup-ms', '--spec'];

export interface Request {
  readonly challenge: string;
  readonly deadlineMs: number;
  readonly warmupMs: number;
  readonly spec: WatchSpec | undefined;
}

/** Parses one request line with the one-shot run's own checks; anything else is a usage failure. */
export function parseRequest(line: string): Request {
  const words = line.split(' ').filter((word) => word !== '');
  for (let i = 0; i < words.length; i += 2) {
    if (REQUEST_OPTIONS.indexOf(words[i]!) < 0) throw usageFailure(`request: unexpected "${words[i]!.slice(0, 40)}" (a request holds ${REQUEST_OPTIONS.join(', ')})`);
  }
  const options = parseArgs(words, '/');
  return { challenge: options.challenge || '', deadlineMs: options.deadlineMs, warmupMs: options.warmupMs, spec: options.spec };
}

/** What the resident collector needs of its process; main.ts passes the real one, tests their own. */
export interface ServeHooks {
  readonly input: NodeJS.ReadableStream;
  /** Writes an answer; `done` runs once it is flushed. */
  readonly write: (text: string, done: () => void) => void;
  /** Gives up on a poll past its deadline (exits, status 5, like a one-shot run). */
  readonly armDeadline: (ms: number) => () => void;
  /** The files whose replacement (a new upload) ends this process instead of an answer. */
  readonly watched: readonly string[];
  /** Calls `listener` when the process is told to stop (SIGTERM, SIGINT, SIGHUP). */
  readonly onStop: (listener: () => void) => void;
}

/**
 * Why serving ended: stdin closed (the poller is done), the collector or key file was replaced
 * (exit REPLACED_EXIT so the poller starts the new one and asks it at once), no request within
 * --idle-ms (a poller that vanished without closing), or a stop signal (after the answer under way).
 */
export type ServeEnd = 'ended' | 'replaced' | 'idle' | 'stopped';

/** Identity of a file as a rename into place changes it: inode, size, modification time. */
function identity(path: string): string {
  try {
    const stats = statSync(path);
    return `${stats.ino}:${stats.size}:${stats.mtime.getTime()}`;
  } catch {
    return 'missing';
  }
}

/**
 * Answers requests, one at a time and in order, until one of the ServeEnd reasons. Whole-process
 * failures (keys, a bad request) reject, as in a one-shot run.
 */
export function serveRequests(options: Options, hooks: ServeHooks): Promise<ServeEnd> {
  const prepared = prepare(options);
  const watched = hooks.watched.map((path) => ({ path, was: identity(path) }));
  const replaced = (): boolean => watched.some((file) => identity(file.path) !== file.was);
  return new Promise((resolve, reject) => {
    let buffered = '';
    let queue: Promise<void> = Promise.resolve();
    let busy = 0;
    let finished = false;
    let stopping = false;
    let idleTimer: NodeJS.Timeout | undefined;
    const finish = (how: ServeEnd | Error): void => {
      if (finished) return;
      finished = true;
      if (idleTimer !== undefined) clearTimeout(idleTimer);
      hooks.input.removeListener('data', onData);
      if (how instanceof Error) reject(how);
      else resolve(how);
    };
    const waitIdle = (): void => {
      if (idleTimer !== undefined) clearTimeout(idleTimer);
      if (options.idleMs > 0) idleTimer = setTimeout(() => busy === 0 && finish('idle'), options.idleMs);
    };
    const answer = async (line: string): Promise<void> => {
      const request = parseRequest(line);
      // An upload replaced this collector or its key: say so by the exit status instead of
      // answering with the old code; the poller starts the new one and asks it at once.
      if (replaced()) return finish('replaced');
      const disarm = hooks.armDeadline(request.deadlineMs);
      try {
        const text = await pollOnce(prepared, request.challenge, request.warmupMs, request.deadlineMs, request.spec);
        await new Promise<void>((done) => hooks.write(text, done));
      } finally {
        disarm();
      }
    };
    const onData = (chunk: Buffer | string): void => {
      buffered += chunk.toString();
      for (let newline = buffered.indexOf('\n'); newline >= 0 && !finished; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        busy++;
        if (idleTimer !== undefined) clearTimeout(idleTimer);
        queue = queue
          .then(() => (finished ? undefined : answer(line)))
          .then(() => {
            busy--;
            if (stopping && busy === 0) finish('stopped');
            else if (busy === 0) waitIdle();
          })
          .catch((err: Error) => finish(err));
      }
      if (Buffer.byteLength(buffered) > MAX_REQUEST_BYTES) finish(usageFailure(`request line longer than ${MAX_REQUEST_BYTES} bytes`));
    };
    hooks.onStop(() => {
      stopping = true;
      if (busy === 0) finish('stopped');
    });
    hooks.input.on('data', onData);
    hooks.input.on('end', () => void queue.then(() => finish('ended')));
    hooks.input.on('error', () => void queue.then(() => finish('ended')));
    waitIdle();
  });
}
