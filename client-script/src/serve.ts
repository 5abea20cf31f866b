import { statSync } from 'fs';
import { parseArgs, type Options } from './args.js';
import { usageFailure } from './failure.js';
import { pollOnce, prepare } from './run.js';

// The resident collector of `metrix run`: one process per host for as long as the poller
// keeps its SSH channel open. Each poll is one request line on stdin, written by the poller:
//   --challenge <base64> --deadline-ms N [--warmup-ms N]
// (the per-poll options of a one-shot run), answered by exactly one sealed line on stdout.
// Start-up (Node, the bundle, the keys, the shared key) is paid once, not on every poll.

/** Requests are a few dozen bytes; a longer line is not from the poller. */
export const MAX_REQUEST_BYTES = 4096;
const REQUEST_OPTIONS = ['--challenge', '--deadline-ms', '--warmup-ms'];

export interface Request {
  readonly challenge: string;
  readonly deadlineMs: number;
  readonly warmupMs: number;
}

/** Parses one request line with the one-shot run's own checks; anything else is a usage failure. */
export function parseRequest(line: string): Request {
  const words = line.split(' ').filter((word) => word !== '');
  for (let i = 0; i < words.length; i += 2) {
    if (REQUEST_OPTIONS.indexOf(words[i]!) < 0) throw usageFailure(`request: unexpected "${words[i]!.slice(0, 40)}" (a request holds ${REQUEST_OPTIONS.join(', ')})`);
  }
  const options = parseArgs(words, '/');
  return { challenge: options.challenge || '', deadlineMs: options.deadlineMs, warmupMs: options.warmupMs };
}

/** What the resident collector needs of its process; main.ts passes the real one, tests their own. */
export interface ServeHooks {
  readonly input: NodeJS.ReadableStream;
  /** Writes an answer; `done` runs once it is flushed. */
  readonly write: (text: string, done: () => void) => void;
  /** Gives up on a poll past its deadline (exits, status 5, like a one-shot run). */
  readonly armDeadline: (ms: number) => () => void;
  /** The files whose replacement (a new upload) ends this process after its answer. */
  readonly watched: readonly string[];
}

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
 * Answers requests until stdin ends (the poller closed the channel) or the collector or key
 * file is replaced: then it resolves, after its last answer, so the poller starts the new one.
 * Whole-process failures (keys, a bad request) reject, as in a one-shot run.
 */
export function serveRequests(options: Options, hooks: ServeHooks): Promise<'ended' | 'replaced'> {
  const prepared = prepare(options);
  const watched = hooks.watched.map((path) => ({ path, was: identity(path) }));
  const replaced = (): boolean => watched.some((file) => identity(file.path) !== file.was);
  return new Promise((resolve, reject) => {
    let buffered = '';
    let queue: Promise<void> = Promise.resolve();
    let finished = false;
    const finish = (how: 'ended' | 'replaced' | Error): void => {
      if (finished) return;
      finished = true;
      hooks.input.removeListener('data', onData);
      if (how instanceof Error) reject(how);
      else resolve(how);
    };
    const answer = async (line: string): Promise<void> => {
      const request = parseRequest(line);
      // Checked as the request comes: the one that finds the files replaced is still answered
      // (what this process collects is as good as ever), and is its last.
      const last = replaced();
      const disarm = hooks.armDeadline(request.deadlineMs);
      try {
        const text = await pollOnce(prepared, request.challenge, request.warmupMs, request.deadlineMs);
        await new Promise<void>((done) => hooks.write(text, done));
      } finally {
        disarm();
      }
      if (last) finish('replaced');
    };
    const onData = (chunk: Buffer | string): void => {
      buffered += chunk.toString();
      for (let newline = buffered.indexOf('\n'); newline >= 0 && !finished; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        queue = queue.then(() => (finished ? undefined : answer(line))).catch((err: Error) => finish(err));
      }
      if (Buffer.byteLength(buffered) > MAX_REQUEST_BYTES) finish(usageFailure(`request line longer than ${MAX_REQUEST_BYTES} bytes`));
    };
    hooks.input.on('data', onData);
    hooks.input.on('end', () => void queue.then(() => finish('ended')));
    hooks.input.on('error', () => void queue.then(() => finish('ended')));
  });
}
