import { checkIdentity, type CheckSpec } from './checks-spec.js';
import { runPlugin, type PluginRun } from './checks-process.js';
import { parsePluginOutput, type PerfItem } from './perfdata.js';
import type { CheckResult } from './protocol.js';

// Runs the checks that are due, a few at a time, each within its own timeout and all within
// the poll's deadline, and turns each run into a result the way the plugin API says:
// exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; any other status, a signal or a timeout is
// UNKNOWN with the reason as its text. A check not due reports its last result again
// (`fresh: false`), so its series has a value at every poll and a rule sees the last state.
// A check the poll had no time for (none left, or the poll's deadline cut it before its own
// timeout) is not the check's result: its last result is reported again and kept, with its old
// time, so it is due again at the next poll. Only a check that never ran reports UNKNOWN then,
// and only for that poll. Remembering "not run" as a result would hold UNKNOWN (status 3, which a
// rule check_status >= 2 fires on) for the check's whole interval.

export const STATUS = { ok: 0, warning: 1, critical: 2, unknown: 3 } as const;

/** Checks run at once at most: plugins are small, but a host is busy with real work. */
export const CHECK_CONCURRENCY = 4;
/** The shortest time worth starting a check with; less than this left before the deadline: not run. */
const MIN_RUN_MS = 500;
/** Longest first-line text kept. */
export const MAX_TEXT_CHARS = 500;

/** What is remembered of one check between polls (state file section "checks"). */
export interface CheckMemory {
  readonly id: string;
  /** Host clock when it last ran. */
  readonly at: number;
  readonly status: number;
  readonly text: string;
  readonly perf: PerfItem[];
}

export type CheckMemories = { [name: string]: CheckMemory };

const cut = (text: string): string => (text.length > MAX_TEXT_CHARS ? `${text.slice(0, MAX_TEXT_CHARS - 1)}…` : text);

/**
 * Due at the first poll at least `every` after the last run, less 5%: polls a moment early
 * must not push a check a whole interval late. A command changed since, or a host clock that
 * went back, makes it due at once.
 */
export function isDue(check: CheckSpec, memory: CheckMemory | undefined, now: number): boolean {
  if (memory === undefined || memory.id !== checkIdentity(check)) return true;
  const elapsed = now - memory.at;
  return elapsed < 0 || elapsed >= check.everyMs * 0.95;
}

/** Maps one finished run to status, text and perfdata. */
export function judgeRun(run: PluginRun, timeoutMs: number, cutByDeadline: boolean): Omit<CheckMemory, 'id' | 'at'> {
  const unknown = (text: string): Omit<CheckMemory, 'id' | 'at'> => ({ status: STATUS.unknown, text: cut(text), perf: [] });
  if (run.startError !== undefined) return unknown(`could not start: ${run.startError}`);
  if (run.timedOut) return unknown(cutByDeadline ? `stopped after ${seconds(timeoutMs)}: the poll's deadline came first` : `timed out after ${seconds(timeoutMs)}`);
  if (run.code === undefined) return unknown(`killed by ${run.signal || 'a signal'}`);
  const parsed = parsePluginOutput(run.stdout);
  const text = parsed.text || firstLine(run.stderr) || '(no output)';
  const capped = run.droppedBytes > 0 ? ` (output cut at ${run.stdout.length} bytes)` : '';
  if (run.code >= 0 && run.code <= 3) return { status: run.code, text: cut(text + capped), perf: parsed.perf };
  return { status: STATUS.unknown, text: cut(`exited with status ${run.code}: ${text}${capped}`), perf: parsed.perf };
}

function firstLine(text: string): string {
  return (text.split('\n')[0] || '').trim();
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

export interface CheckDeps {
  readonly now: () => number;
  /** Host clock by which every check must be done (the poll's deadline less a margin); Infinity without one. */
  readonly doneBy: number;
  readonly run?: (command: string, timeoutMs: number) => Promise<PluginRun>;
}

/**
 * Runs the due checks (at most CHECK_CONCURRENCY at once) and returns every check's result in
 * spec order, with the memories to keep. Never rejects: one check's trouble is its own result.
 */
export async function runChecks(
  checks: readonly CheckSpec[],
  memories: CheckMemories,
  deps: CheckDeps,
): Promise<{ results: CheckResult[]; memories: CheckMemories }> {
  const run = deps.run || runPlugin;
  const kept: CheckMemories = Object.create(null);
  /** Checks this poll had no time for, with why: not remembered as their result. */
  const starved: { [name: string]: { at: number; text: string } } = Object.create(null);
  const started = deps.now();
  const due = checks.filter((check) => isDue(check, memories[check.name], started));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < due.length) {
      const check = due[next++]!;
      const at = deps.now();
      const left = deps.doneBy - at;
      if (left < MIN_RUN_MS) {
        starved[check.name] = { at, text: "not run: no time left before the poll's deadline" };
        continue;
      }
      const limit = Math.min(check.timeoutMs, Math.floor(left));
      const outcome = await run(check.command, limit);
      const judged = judgeRun(outcome, limit, limit < check.timeoutMs);
      // Its own timeout is its result; the poll's deadline coming first is not.
      if (outcome.timedOut && limit < check.timeoutMs) starved[check.name] = { at, text: judged.text };
      else kept[check.name] = { id: checkIdentity(check), at, ...judged };
    }
  };
  const workers: Array<Promise<void>> = [];
  for (let k = 0; k < Math.min(CHECK_CONCURRENCY, due.length); k++) workers.push(worker());
  await Promise.all(workers);
  const results: CheckResult[] = [];
  for (const check of checks) {
    const fresh = kept[check.name];
    const before = memories[check.name];
    const last = before !== undefined && before.id === checkIdentity(check) ? before : undefined;
    const skipped = starved[check.name];
    if (skipped !== undefined && last === undefined) {
      results.push({ name: check.name, status: STATUS.unknown, text: skipped.text, perf: [], ranAt: skipped.at, fresh: true });
      continue;
    }
    const memory = fresh || (skipped !== undefined ? last : before);
    if (memory === undefined) continue;
    if (!fresh) kept[check.name] = memory;
    results.push({ name: check.name, status: memory.status, text: memory.text, perf: memory.perf, ranAt: memory.at, fresh: fresh !== undefined });
  }
  return { results, memories: kept };
}
