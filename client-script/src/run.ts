import { accessSync, constants } from 'fs';
import { hostname } from 'os';
import { join } from 'path';
import { parseArgs, USAGE, type Options } from './args.js';
import { deadlineMargin, decodeSpec, type WatchSpec } from './checks-spec.js';
import { runWatches, type Watched } from './checks-watch.js';
import { collectAll, type Collected } from './collect.js';
import type { CollectContext } from './collectors/collector.js';
import { DEFAULT_STATFS_COMMAND } from './collectors/filesystem.js';
import { COLLECTORS } from './collectors/index.js';
import { unsupportedFailure, usageFailure } from './failure.js';
import { readHostKey } from './host-key.js';
import { REPORT_VERSION, type HostKeyFile, type Report } from './protocol.js';
import { createSealer, type Sealer } from './seal.js';
import { VERSION } from './version.js';

export function buildReport(host: string, challenge: string, collected: Collected, watched?: Watched): Report {
  const plain: Report = {
    v: REPORT_VERSION,
    host,
    challenge,
    ts: collected.ts,
    countersAt: collected.countersAt,
    collector: VERSION,
    gauges: collected.gauges,
    counters: collected.counters,
    errors: watched === undefined ? collected.errors : collected.errors.concat(watched.errors),
  };
  const report = watched === undefined ? plain : { ...plain, checks: watched.checks, logs: watched.logs };
  return collected.baseline === undefined ? report : { ...report, baseline: collected.baseline };
}

// Without /proc/stat there is nothing worth reporting: not Linux, or /proc not mounted.
function assertLinuxProc(procRoot: string): void {
  const path = join(procRoot, 'stat');
  try {
    accessSync(path, constants.R_OK);
  } catch (err) {
    throw unsupportedFailure(`needs Linux /proc: cannot read ${path} (${(err as NodeJS.ErrnoException).code || String(err)})`);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What every poll of one collector process shares: where to read, and how to seal. */
export interface Prepared {
  readonly ctx: CollectContext;
  /** Undefined with --print: the report is shown as JSON, not sealed. */
  readonly keys: HostKeyFile | undefined;
  readonly seal: Sealer | undefined;
}

/** Reads the keys and checks the machine once; a failure here is the whole process's. */
export function prepare(options: Options): Prepared {
  // Keys are checked before any work so a host that was never uploaded fails fast.
  const keys = options.print ? undefined : readHostKey(options.keyPath);
  assertLinuxProc(options.procRoot);
  const ctx: CollectContext = {
    procRoot: options.procRoot,
    sysRoot: options.sysRoot,
    statfsCommand: options.statfsCmd === undefined ? DEFAULT_STATFS_COMMAND : [options.statfsCmd],
    statfsTimeoutMs: options.statfsTimeoutMs,
    searchPath: process.env.PATH || '',
    statePath: options.statePath,
  };
  return { ctx, keys, seal: keys === undefined ? undefined : createSealer(keys) };
}

/**
 * A statfs helper still running at the poll's deadline would be killed on the way out, not
 * remembered as hung, and the next poll would start another: so a mount's limit stays well
 * inside the poll's (half of it), and a hung mount is always found out by its own limit.
 */
export function statfsLimitWithin(ctx: CollectContext, deadlineMs: number): CollectContext {
  if (deadlineMs <= 0 || ctx.statfsTimeoutMs <= deadlineMs / 2) return ctx;
  return { ...ctx, statfsTimeoutMs: Math.max(1, Math.floor(deadlineMs / 2)) };
}

/** One poll: collect everything and return the line (or readable JSON with --print) to print. */
export async function pollOnce(prepared: Prepared, challenge: string, warmupMs: number, deadlineMs = 0, spec?: WatchSpec): Promise<string> {
  // Checks and logs run beside the metrics (started after them, so the statfs and nvidia-smi
  // helpers already run while the logs are read), done a margin before the poll's deadline.
  const doneBy = deadlineMs > 0 ? Date.now() + deadlineMs - deadlineMargin(deadlineMs) : Infinity;
  const collecting = collectAll(COLLECTORS, statfsLimitWithin(prepared.ctx, deadlineMs), { warmupMs, now: Date.now, sleep });
  const watching = spec === undefined ? undefined : runWatches(spec, { statePath: prepared.ctx.statePath, now: Date.now, doneBy });
  const collected = await collecting;
  const watched = watching === undefined ? undefined : await watching;
  const { keys, seal } = prepared;
  if (keys === undefined || seal === undefined) return `${JSON.stringify(buildReport(hostname(), challenge, collected, watched), null, 2)}\n`;
  return seal(buildReport(keys.host, challenge, collected, watched));
}

/**
 * One collector run, from the command line to the text for stdout. Whole-run failures
 * throw CollectorFailure; a collector that fails on its own is listed in the report.
 */
export async function runCollector(
  argv: readonly string[],
  scriptDir: string,
  armDeadline: (ms: number) => void = () => undefined,
  readInput: () => Promise<string> = () => readStdin(),
): Promise<string> {
  const options = parseArgs(argv, scriptDir);
  if (options.help) return `${USAGE}\n`;
  if (options.serve) throw usageFailure('--serve is handled by the entry point, not by a one-shot run');
  // SSH cannot always signal a remote process (sshd refuses it for root sessions), so the
  // collector keeps the poller's time limit itself instead of outliving an abandoned poll.
  if (options.deadlineMs > 0) armDeadline(options.deadlineMs);
  const spec = options.specOnStdin ? specFrom(await readInput()) : options.spec;
  return pollOnce(prepare(options), options.challenge || '', options.warmupMs, options.deadlineMs, spec);
}

/** The most `--spec -` reads from stdin: far more than the largest spec the poller sends. */
export const MAX_SPEC_INPUT_BYTES = 1024 * 1024;

function specFrom(text: string): WatchSpec {
  const decoded = decodeSpec(text.trim());
  if ('problem' in decoded) throw usageFailure(`--spec - (stdin): ${decoded.problem}`);
  return decoded.spec;
}

/** All of stdin, at most MAX_SPEC_INPUT_BYTES; the poller writes one line and closes it (the deadline covers one that does not). */
export function readStdin(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    input.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_SPEC_INPUT_BYTES) reject(usageFailure(`--spec -: more than ${MAX_SPEC_INPUT_BYTES} bytes on stdin`));
      else chunks.push(chunk);
    });
    input.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    input.on('error', (err: Error) => reject(usageFailure(`--spec -: cannot read stdin: ${err.message}`)));
  });
}
