import { accessSync, constants } from 'fs';
import { hostname } from 'os';
import { join } from 'path';
import { parseArgs, USAGE } from './args.js';
import { collectAll, type Collected } from './collect.js';
import type { CollectContext } from './collectors/collector.js';
import { DEFAULT_STATFS_COMMAND } from './collectors/filesystem.js';
import { COLLECTORS } from './collectors/index.js';
import { unsupportedFailure } from './failure.js';
import { readHostKey } from './host-key.js';
import { REPORT_VERSION, type Report } from './protocol.js';
import { sealReport } from './seal.js';
import { VERSION } from './version.js';

export function buildReport(host: string, challenge: string, collected: Collected): Report {
  const report: Report = {
    v: REPORT_VERSION,
    host,
    challenge,
    ts: collected.ts,
    countersAt: collected.countersAt,
    collector: VERSION,
    gauges: collected.gauges,
    counters: collected.counters,
    errors: collected.errors,
  };
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

/**
 * One collector run, from the command line to the text for stdout. Whole-run failures
 * throw CollectorFailure; a collector that fails on its own is listed in the report.
 */
export async function runCollector(argv: readonly string[], scriptDir: string, armDeadline: (ms: number) => void = () => undefined): Promise<string> {
  const options = parseArgs(argv, scriptDir);
  if (options.help) return `${USAGE}\n`;
  // SSH cannot always signal a remote process (sshd refuses it for root sessions), so the
  // collector keeps the poller's time limit itself instead of outliving an abandoned poll.
  if (options.deadlineMs > 0) armDeadline(options.deadlineMs);
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
  const collected = await collectAll(COLLECTORS, ctx, { warmupMs: options.warmupMs, now: Date.now, sleep });
  const challenge = options.challenge || '';
  if (keys === undefined) return `${JSON.stringify(buildReport(hostname(), challenge, collected), null, 2)}\n`;
  return sealReport(buildReport(keys.host, challenge, collected), keys);
}
