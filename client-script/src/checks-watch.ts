import type { LogSpec, WatchSpec } from './checks-spec.js';
import { runChecks, type CheckMemories, type CheckMemory } from './checks-run.js';
import { followInTime, logMemoryOf, type Followed, type LogMemory } from './logs-follow.js';
import { LogHelpers, mountsFor, networkMountOf } from './logs-remote.js';
import type { CheckResult, CollectorError, LogResult } from './protocol.js';
import { readStateSection, writeStateSection } from './state-file.js';

// One poll's checks and logs, with what they remember kept in the state file beside the
// collector (sections "checks" and "logs"), so a one-shot collector and a resident one, or a
// resident started again, go on where the last poll stopped.

export interface Watched {
  readonly checks: CheckResult[];
  readonly logs: LogResult[];
  readonly errors: CollectorError[];
}

/** All logs together may spend this long matching per poll (a hostile line can be slow: logs-pattern.ts). */
export const LOGS_BUDGET_MS = 1000;

export interface WatchDeps {
  readonly statePath: string;
  readonly now: () => number;
  /** Host clock by which the checks must be done; Infinity without a deadline. */
  readonly doneBy: number;
  /** Where the mount table is read, to tell logs on network mounts (logs-remote.ts); default /proc. */
  readonly procRoot?: string;
  /** The argv that reads a log on a network mount, before its request; default this script with --read-log. */
  readonly logHelper?: readonly string[];
}

type Obj = { readonly [key: string]: unknown };
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumber = (value: unknown): value is number => typeof value === 'number' && isFinite(value);

// The state file is ours, but still read as data that may be damaged: a bad entry is dropped.
function checkMemories(section: unknown): CheckMemories {
  const memories: CheckMemories = Object.create(null);
  if (!isObject(section)) return memories;
  for (const name of Object.keys(section)) {
    const m = section[name];
    if (!isObject(m) || typeof m.id !== 'string' || !isNumber(m.at) || !isNumber(m.status) || typeof m.text !== 'string' || !Array.isArray(m.perf)) continue;
    const perf = (m.perf as unknown[]).filter((p): p is { label: string; value: number } => isObject(p) && typeof p.label === 'string' && isNumber(p.value));
    memories[name] = { id: m.id, at: m.at, status: m.status, text: m.text, perf } as CheckMemory;
  }
  return memories;
}

function logMemories(section: unknown): { [name: string]: LogMemory } {
  const memories: { [name: string]: LogMemory } = Object.create(null);
  if (!isObject(section)) return memories;
  for (const name of Object.keys(section)) {
    const memory = logMemoryOf(section[name]);
    if (memory !== undefined) memories[name] = memory;
  }
  return memories;
}

/** Runs the spec's due checks and reads its logs; never rejects. */
export async function runWatches(spec: WatchSpec, deps: WatchDeps): Promise<Watched> {
  const errors: CollectorError[] = [];
  const logs: LogResult[] = [];
  const rememberedLogs = logMemories(readStateSection(deps.statePath, 'logs'));
  const keptLogs: { [name: string]: LogMemory } = Object.create(null);
  // Logs first: reading is quick and bounded, and the checks then have the rest of the time.
  const logDeps = { now: deps.now, doneBy: Math.min(deps.doneBy, deps.now() + LOGS_BUDGET_MS) };
  const mounts = spec.logs.length > 0 ? mountsFor(deps.procRoot || '/proc') : [];
  const helpers = new LogHelpers({
    statePath: deps.statePath,
    now: deps.now,
    doneBy: deps.doneBy,
    matchBy: logDeps.doneBy,
    helper: deps.logHelper || [process.execPath, process.argv[1] || '', '--read-log'],
  });
  // Logs on network mounts go to helpers, one per mount, all started at once: they run while
  // the local logs are read here.
  const remote = new Map<string, LogSpec[]>();
  for (const log of spec.logs) {
    const mount = networkMountOf(log.path, mounts);
    if (mount !== undefined) remote.set(mount, (remote.get(mount) || []).concat([log]));
  }
  const remoteRead = helpers.followAll(remote, rememberedLogs);
  const followed: { [name: string]: Followed } = Object.create(null);
  for (const log of spec.logs) {
    if (networkMountOf(log.path, mounts) === undefined) followed[log.name] = followInTime(log, rememberedLogs[log.name], logDeps);
  }
  const fromHelpers = await remoteRead;
  for (const log of spec.logs) {
    const one = followed[log.name] || fromHelpers[log.name];
    if (one === undefined) continue;
    logs.push(one.result);
    if (one.memory !== undefined) keptLogs[log.name] = one.memory;
    // Shown with the poll (`metrix hosts`, the poll's log line), like a mount that did not answer.
    if (one.warning !== undefined) errors.push({ collector: 'logs', message: `${log.name}: ${one.warning}` });
  }
  const hungProblem = helpers.save();
  if (hungProblem !== undefined) errors.push({ collector: 'logs', message: hungProblem });
  const checks = await runChecks(spec.checks, checkMemories(readStateSection(deps.statePath, 'checks')), deps);
  // Sections hold only what the spec names: a check or log removed from the config is forgotten.
  for (const [name, value] of [['logs', keptLogs], ['checks', checks.memories]] as const) {
    const problem = writeStateSection(deps.statePath, name, Object.keys(value).length > 0 ? value : undefined);
    if (problem) errors.push({ collector: name, message: problem });
  }
  return { checks: checks.results, logs, errors };
}
