import type { WatchSpec } from './checks-spec.js';
import { runChecks, type CheckMemories, type CheckMemory } from './checks-run.js';
import { followLog, type LogMemory } from './logs-follow.js';
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
    const m = section[name];
    if (!isObject(m) || typeof m.path !== 'string' || !isNumber(m.dev) || !isNumber(m.ino) || !isNumber(m.offset) || m.offset < 0 || typeof m.head !== 'string') continue;
    memories[name] = { path: m.path, dev: m.dev, ino: m.ino, offset: m.offset, head: m.head, midLine: m.midLine === true };
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
  for (const log of spec.logs) {
    const before = rememberedLogs[log.name];
    // Checked before opening each log too: matching is synchronous, so no timer can stop it.
    if (deps.now() > logDeps.doneBy) {
      const why = 'not read this poll: the time for logs ran out';
      logs.push({ name: log.name, matches: 0, lines: [], note: why });
      errors.push({ collector: 'logs', message: `${log.name}: ${log.path}: ${why}` });
      if (before !== undefined) keptLogs[log.name] = before;
      continue;
    }
    try {
      const followed = followLog(log, rememberedLogs[log.name], logDeps);
      logs.push(followed.result);
      if (followed.memory !== undefined) keptLogs[log.name] = followed.memory;
      // Shown with the poll (`metrix hosts`, the poll's log line), like a mount that did not answer.
      if (followed.warning !== undefined) errors.push({ collector: 'logs', message: `${log.name}: ${followed.warning}` });
    } catch (err) {
      const why = `cannot read: ${err instanceof Error ? err.message : String(err)}`;
      logs.push({ name: log.name, matches: 0, lines: [], note: why });
      errors.push({ collector: 'logs', message: `${log.name}: ${log.path}: ${why}` });
      if (before !== undefined) keptLogs[log.name] = before;
    }
  }
  const checks = await runChecks(spec.checks, checkMemories(readStateSection(deps.statePath, 'checks')), deps);
  // Sections hold only what the spec names: a check or log removed from the config is forgotten.
  for (const [name, value] of [['logs', keptLogs], ['checks', checks.memories]] as const) {
    const problem = writeStateSection(deps.statePath, name, Object.keys(value).length > 0 ? value : undefined);
    if (problem) errors.push({ collector: name, message: problem });
  }
  return { checks: checks.results, logs, errors };
}
