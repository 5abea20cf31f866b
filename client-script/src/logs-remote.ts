import type { LogSpec } from './checks-spec.js';
import { loadMounts, type Mount } from './collectors/mounts.js';
import { formatSince, loadHungHelpers, planHungHelpers, saveHungHelpers, type HungHelper } from './hung-statfs.js';
import { followInTime, logMemoryOf, MAX_LINE_CHARS, MAX_LINES, type Followed, type LogMemory } from './logs-follow.js';
import { runCommand } from './run-command.js';

// A log on a network or FUSE filesystem is read by a helper process, not by the collector.
// Reading a log is synchronous (open, fstat, read): on a hung NFS, Lustre or GPFS mount (or a
// FUSE daemon that stopped answering) the calling process sleeps in the kernel (state D), where
// no timer and no signal reaches it: a one-shot collector would never answer and pile up one
// per poll, a resident one would hang for good. statfs met the same problem and runs in
// helpers (hung-statfs.ts); logs do the same, with the same memory:
//   - the filesystem is found from /proc/self/mountinfo, by the longest mount point that is a
//     prefix of the log's path as configured (a symlink into a network mount is not seen:
//     resolving it would itself touch the mount);
//   - local filesystems are read in this process as before: they do not need a helper;
//   - the logs of each network mount are read by one helper (a Node start costs ~0.15 s on a
//     loaded host: one per mount and poll, not per log), all mounts' helpers at once: this same
//     collector script run as `node metrix-collector.js --read-log <base64 JSON>`, the same
//     followLog code, so the rules for rotation, caps and patterns are one; it answers one
//     JSON line;
//   - it gets until the poll's checks deadline, at most LOG_HELPER_TIMEOUT_MS; one that does
//     not answer is killed and, if it is stuck in the kernel, remembered in the state file
//     (section "hungLogs", by mount point): no log on that mount gets a new helper until that
//     very process has ended; each poll says so as a warning.

export const HUNG_LOGS_SECTION = 'hungLogs';
export const LOG_HELPER_TIMEOUT_MS = 5000;
/** Less time than this left: the helper is not started (it could not even load). */
const MIN_HELPER_MS = 200;

// Types whose calls can block on a server, a network or a user-space daemon.
const NETWORK_FS = [
  '9p', 'afs', 'beegfs', 'ceph', 'cifs', 'coda', 'davfs', 'gfs2', 'glusterfs', 'gpfs', 'lustre',
  'ncpfs', 'nfs', 'nfs4', 'ocfs2', 'orangefs', 'panfs', 'pvfs2', 'smb3', 'smbfs', 'wekafs',
];
const NETWORK = new Set(NETWORK_FS);

export function isNetworkFsType(fsType: string): boolean {
  return NETWORK.has(fsType) || fsType === 'fuse' || fsType === 'fuseblk' || fsType.indexOf('fuse.') === 0;
}

/** The mount a path is on: the longest mount point that is a prefix of it (the last one mounted there wins). */
export function mountOf(path: string, mounts: readonly Mount[]): Mount | undefined {
  let found: Mount | undefined;
  for (const mount of mounts) {
    const point = mount.mountPoint;
    const under = point === '/' || path === point || path.indexOf(point.charAt(point.length - 1) === '/' ? point : `${point}/`) === 0;
    if (under && (found === undefined || point.length >= found.mountPoint.length)) found = mount;
  }
  return found;
}

/** The mount point of a log that must be read through a helper, or undefined to read it here. */
export function networkMountOf(path: string, mounts: readonly Mount[]): string | undefined {
  const mount = mountOf(path, mounts);
  return mount !== undefined && isNetworkFsType(mount.fsType) ? mount.mountPoint : undefined;
}

/** The mount table, or none when it cannot be read (then every log is read here, as before). */
export function mountsFor(procRoot: string): Mount[] {
  try {
    return loadMounts(procRoot);
  } catch {
    return [];
  }
}

/** What the helper is given: `--read-log` takes it base64-encoded (JSON). */
export interface ReadLogRequest {
  readonly logs: ReadonlyArray<{ readonly log: LogSpec; readonly memory: LogMemory | undefined }>;
  /** Host clock after which no further log is opened and no further line matched. */
  readonly doneBy: number;
}

export function encodeReadLog(request: ReadLogRequest): string {
  return Buffer.from(JSON.stringify(request), 'utf8').toString('base64');
}

/** The helper's side: followInTime for each log, answered as one JSON array. Throws on a malformed request. */
export function readLogHelper(encoded: string | undefined): string {
  const request = JSON.parse(Buffer.from(encoded || '', 'base64').toString('utf8')) as ReadLogRequest;
  if (typeof request !== 'object' || request === null || !Array.isArray(request.logs)) throw new Error('--read-log: not a read request');
  const deps = { now: Date.now, doneBy: typeof request.doneBy === 'number' ? request.doneBy : Date.now() };
  const answers = request.logs.map((entry) => {
    const log = entry && entry.log;
    if (typeof log !== 'object' || log === null || typeof log.path !== 'string' || typeof log.match !== 'string') throw new Error('--read-log: not a read request');
    return followInTime(log, logMemoryOf(entry.memory), deps);
  });
  return `${JSON.stringify(answers)}\n`;
}

const text = (value: unknown, max: number): string | undefined => (typeof value === 'string' ? value.slice(0, max) : undefined);

/** One log's part of the helper's answer, checked like anything read from outside this process. */
function parseFollowed(log: LogSpec, value: unknown): Followed | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const answer = value as { result?: { matches?: unknown; lines?: unknown; note?: unknown }; memory?: unknown; warning?: unknown };
  const result = answer.result;
  if (typeof result !== 'object' || result === null) return undefined;
  const matches = result.matches;
  if (typeof matches !== 'number' || !(matches >= 0 && Math.floor(matches) === matches) || !Array.isArray(result.lines)) return undefined;
  const lines = (result.lines as unknown[]).filter((l): l is string => typeof l === 'string').slice(-MAX_LINES).map((l) => l.slice(0, MAX_LINE_CHARS));
  const note = text(result.note, 2000);
  const warning = text(answer.warning, 2000);
  const followed: Followed = { result: note === undefined ? { name: log.name, matches, lines } : { name: log.name, matches, lines, note }, memory: logMemoryOf(answer.memory) };
  return warning === undefined ? followed : { ...followed, warning };
}

function parseAnswers(stdout: string): unknown[] {
  try {
    const value = JSON.parse(stdout);
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

export interface RemoteDeps {
  readonly statePath: string;
  readonly now: () => number;
  /** Host clock by which the helper must have answered. */
  readonly doneBy: number;
  /** Host clock by which the helper stops matching (the time for logs). */
  readonly matchBy: number;
  /** The helper's argv before the request (default: this collector with --read-log). */
  readonly helper: readonly string[];
}

type Memories = { readonly [name: string]: LogMemory };

/** The helpers of one poll: those still stuck from earlier polls, and those that time out now. */
export class LogHelpers {
  private readonly stuck: Map<string, HungHelper>;
  private readonly hung = new Map<string, HungHelper>();
  private readonly mounts: string[] = [];

  constructor(private readonly deps: RemoteDeps) {
    this.stuck = loadHungHelpers(deps.statePath, undefined, HUNG_LOGS_SECTION);
  }

  /** Follows the logs of each network mount through one helper per mount, all at once; never rejects. */
  async followAll(byMount: ReadonlyMap<string, readonly LogSpec[]>, memories: Memories): Promise<{ [name: string]: Followed }> {
    const followed: { [name: string]: Followed } = Object.create(null);
    const mounts = Array.from(byMount.keys());
    const answers = await Promise.all(mounts.map((mount) => this.followMount(mount, byMount.get(mount) || [], memories)));
    answers.forEach((list) => list.forEach((one) => (followed[one.result.name] = one)));
    return followed;
  }

  private async followMount(mount: string, logs: readonly LogSpec[], memories: Memories): Promise<Followed[]> {
    this.mounts.push(mount);
    const notRead = (why: string): Followed[] =>
      logs.map((log) => ({ result: { name: log.name, matches: 0, lines: [], note: `not read: ${why}` }, memory: memories[log.name], warning: `${log.path}: not read: ${why}` }));
    const stuck = this.stuck.get(mount);
    if (stuck !== undefined) {
      this.hung.set(mount, stuck);
      return notRead(`${mount} looks hung: the helper reading it (pid ${stuck.pid}, since ${stuck.since}) is stuck in the kernel; no new one until it ends`);
    }
    const started = this.deps.now();
    const limit = Math.floor(Math.min(LOG_HELPER_TIMEOUT_MS, this.deps.doneBy - started));
    if (!(limit >= MIN_HELPER_MS)) return notRead("no time left before the poll's deadline");
    const request = encodeReadLog({ logs: logs.map((log) => ({ log, memory: memories[log.name] })), doneBy: Math.min(this.deps.matchBy, started + limit / 2) });
    const run = await runCommand(this.deps.helper.concat([request]), limit);
    if (!run.ok) {
      if (!run.timedOut) return notRead(`the helper failed: ${run.message}`);
      if (run.abandoned !== undefined) this.hung.set(mount, { mount, pid: run.abandoned.pid, startTime: run.abandoned.startTime, since: formatSince(started) });
      return notRead(`the helper reading it did not answer within ${limit} ms (is ${mount} hung?)`);
    }
    const answers = parseAnswers(run.stdout);
    const failed = notRead('the helper answered something else than a result');
    return logs.map((log, i) => parseFollowed(log, answers[i]) || failed[i]!);
  }

  /** Remembers the helpers stuck now (of mounts this poll's logs are on); an error text when it cannot. */
  save(): string | undefined {
    const plan = planHungHelpers(this.mounts, Array.from(this.hung.values()));
    return saveHungHelpers(this.deps.statePath, plan, HUNG_LOGS_SECTION);
  }
}
