import { isStillRunning, type ProcessIdentity } from './process-identity.js';
import { readStateSection, writeStateSection } from './state-file.js';

// Also used for the helpers that read logs on network mounts (logs-remote.ts, section "hungLogs").
// A statfs helper that timed out on a dead NFS or FUSE mount is stuck in the kernel, where
// SIGKILL cannot reach it. Starting another on every poll would pile up one unkillable
// process per poll and mount, so the stuck one is remembered in the state file, and its
// mount is not tried again until that very process has ended.

export const HUNG_STATFS_SECTION = 'hungStatfs';
/** Bounds the state file; a host with more hung mounts than this retries the rest every poll. */
export const MAX_HUNG_MOUNTS = 64;

export interface HungHelper extends ProcessIdentity {
  readonly mount: string;
  /** When its statfs was started, as 2026-11-30T10:00:00Z. */
  readonly since: string;
}

const SINCE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const MAX_PID = 4194304; // PID_MAX_LIMIT on 64-bit Linux

/** The time as the state file and messages show it: UTC to the second. */
export function formatSince(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The section's entries that are well formed, at most MAX_HUNG_MOUNTS, one per mount. */
export function parseHungHelpers(section: unknown): HungHelper[] {
  if (!Array.isArray(section)) return [];
  const helpers: HungHelper[] = [];
  const seen: string[] = [];
  for (const entry of section as unknown[]) {
    if (helpers.length === MAX_HUNG_MOUNTS) break;
    const e = entry as { mount?: unknown; pid?: unknown; start?: unknown; since?: unknown } | null;
    if (typeof e !== 'object' || e === null) continue;
    const { mount, pid, start, since } = e;
    if (typeof mount !== 'string' || mount === '' || seen.indexOf(mount) >= 0) continue;
    if (typeof pid !== 'number' || !(Number.isInteger(pid) && pid > 1 && pid <= MAX_PID)) continue;
    if (typeof start !== 'string' || !/^\d{1,20}$/.test(start)) continue;
    if (typeof since !== 'string' || !SINCE.test(since) || isNaN(Date.parse(since))) continue;
    seen.push(mount);
    helpers.push({ mount, pid, startTime: start, since });
  }
  return helpers;
}

/** The section to store: undefined (no section) when nothing is hung. */
export function renderHungHelpers(helpers: readonly HungHelper[]): unknown {
  if (helpers.length === 0) return undefined;
  return helpers.map((h) => ({ mount: h.mount, pid: h.pid, start: h.startTime, since: h.since }));
}

/**
 * What to remember after a poll: of the helpers still stuck or newly timed out, those of
 * mounts still in the table (in its order, one per mount), at most MAX_HUNG_MOUNTS.
 */
export function planHungHelpers(mounts: readonly string[], helpers: readonly HungHelper[]): HungHelper[] {
  const byMount = new Map<string, HungHelper>();
  for (const h of helpers) if (!byMount.has(h.mount)) byMount.set(h.mount, h);
  const plan: HungHelper[] = [];
  for (const mount of mounts) {
    const h = byMount.get(mount);
    if (h !== undefined && plan.length < MAX_HUNG_MOUNTS) plan.push(h);
  }
  return plan;
}

export function stillHungMessage(h: HungHelper): string {
  return `${h.mount}: statfs still hung since ${h.since} (helper pid ${h.pid} stuck in the kernel); not retried until it ends`;
}

/** The remembered helpers that still run, by mount; one that ended (or whose pid was reused) is left out. */
export function loadHungHelpers(statePath: string, isRunning: (p: ProcessIdentity) => boolean = isStillRunning, section = HUNG_STATFS_SECTION): Map<string, HungHelper> {
  const running = new Map<string, HungHelper>();
  for (const h of parseHungHelpers(readStateSection(statePath, section))) if (isRunning(h)) running.set(h.mount, h);
  return running;
}

/** Stores the plan; returns an error text when the state file cannot be written. */
export function saveHungHelpers(statePath: string, helpers: readonly HungHelper[], section = HUNG_STATFS_SECTION): string | undefined {
  const problem = writeStateSection(statePath, section, renderHungHelpers(helpers));
  const what = section === HUNG_STATFS_SECTION ? 'statfs' : 'log reading';
  return problem === undefined ? undefined : `${problem}: a hung mount's ${what} is retried on every poll until it can`;
}
