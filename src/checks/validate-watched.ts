import type { WatchSpec } from '../../client-script/src/checks-spec.js';
import type { Sample } from '../../client-script/src/protocol.js';
import { fail, ok, type Outcome } from '../result.js';

// The checks and logs part of a report, checked like the rest of it (poll/validate-report.ts):
// the host chose every byte. Names must be ones this host was asked for, each once; statuses
// 0–3; numbers finite; texts and lists are cut to size and stripped of control characters,
// since they are stored and mailed. What is malformed fails the poll; what is merely long is cut.

export const WATCH_CAPS = {
  textChars: 1000,
  perfItems: 50,
  labelChars: 128,
  lines: 5,
  lineChars: 1000,
  noteChars: 500,
  matches: 1e9,
} as const;

/** A check's result as stored beside its series (the mail shows `text`). */
export interface CheckText {
  readonly check: string;
  readonly status: number;
  readonly text: string;
  /** Run in this poll, not remembered from an earlier one. */
  readonly fresh: boolean;
}

/** A log's read as stored beside its series (the mail shows `lines`). */
export interface LogLines {
  readonly log: string;
  readonly matches: number;
  readonly lines: readonly string[];
  readonly note: string | undefined;
}

export interface Watched {
  readonly samples: Sample[];
  readonly checks: CheckText[];
  readonly logs: LogLines[];
}

type Obj = Readonly<Record<string, unknown>>;
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const bad = (why: string): Outcome<never> => fail('bad-output', `malformed report: ${why}`);

// Tabs and line breaks become spaces; other control characters, which could steer a terminal, go.
const clean = (text: string, max: number): string => {
  const flat = text.replace(/[\t\n\r]/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

function listOf(value: unknown, what: string): Outcome<unknown[]> {
  if (value === undefined) return ok([]);
  return Array.isArray(value) ? ok(value) : bad(`${what} is not a list`);
}

/** Each name must be one asked for, and come once. */
function claim(name: unknown, asked: ReadonlySet<string>, seen: Set<string>, what: string): string | undefined {
  if (typeof name !== 'string' || !asked.has(name)) return `${what} ${JSON.stringify(typeof name === 'string' ? name.slice(0, 40) : typeof name)} was not asked for`;
  if (seen.has(name)) return `${what} "${name}" comes twice`;
  seen.add(name);
  return undefined;
}

function readChecks(list: readonly unknown[], spec: WatchSpec, samples: Sample[]): Outcome<CheckText[]> {
  const asked = new Set(spec.checks.map((check) => check.name));
  const seen = new Set<string>();
  const texts: CheckText[] = [];
  for (const entry of list) {
    if (!isObject(entry)) return bad('a check result is not an object');
    const wrong = claim(entry['name'], asked, seen, 'check');
    if (wrong) return bad(wrong);
    const check = entry['name'] as string;
    const { status, text, perf, fresh } = entry;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 0 || status > 3) return bad(`check "${check}": status is not 0, 1, 2 or 3`);
    if (typeof text !== 'string') return bad(`check "${check}": text is not a string`);
    if (typeof fresh !== 'boolean') return bad(`check "${check}": fresh is not true or false`);
    if (!Array.isArray(perf)) return bad(`check "${check}": perf is not a list`);
    samples.push({ m: 'check_status', v: status, l: { check } });
    const labels = new Set<string>();
    for (const item of perf.slice(0, WATCH_CAPS.perfItems)) {
      if (!isObject(item) || typeof item['label'] !== 'string' || typeof item['value'] !== 'number' || !Number.isFinite(item['value'])) return bad(`check "${check}": a perf item is not {label, value}`);
      const label = clean(item['label'], WATCH_CAPS.labelChars);
      // Two items of one label would be one series written twice: the first one counts.
      if (label === '' || labels.has(label)) continue;
      labels.add(label);
      samples.push({ m: 'check_perf', v: item['value'], l: { check, label } });
    }
    texts.push({ check, status, text: clean(text, WATCH_CAPS.textChars), fresh });
  }
  return ok(texts);
}

function readLogs(list: readonly unknown[], spec: WatchSpec, samples: Sample[]): Outcome<LogLines[]> {
  const asked = new Set(spec.logs.map((log) => log.name));
  const seen = new Set<string>();
  const read: LogLines[] = [];
  for (const entry of list) {
    if (!isObject(entry)) return bad('a log result is not an object');
    const wrong = claim(entry['name'], asked, seen, 'log');
    if (wrong) return bad(wrong);
    const log = entry['name'] as string;
    const { matches, lines, note } = entry;
    if (typeof matches !== 'number' || !Number.isInteger(matches) || matches < 0 || matches > WATCH_CAPS.matches) return bad(`log "${log}": matches is not a count`);
    if (!Array.isArray(lines) || lines.some((line) => typeof line !== 'string')) return bad(`log "${log}": lines is not a list of strings`);
    if (note !== undefined && typeof note !== 'string') return bad(`log "${log}": note is not a string`);
    samples.push({ m: 'log_matches', v: matches, l: { log } });
    const kept = (lines as string[]).slice(-WATCH_CAPS.lines).map((line) => clean(line, WATCH_CAPS.lineChars));
    read.push({ log, matches, lines: kept, note: note === undefined ? undefined : clean(note, WATCH_CAPS.noteChars) });
  }
  return ok(read);
}

/** Checks the `checks` and `logs` of an opened report against what the host was asked for. */
export function validateWatched(report: unknown, spec: WatchSpec | undefined): Outcome<Watched> {
  if (!isObject(report)) return bad('the payload is not an object');
  const checks = listOf(report['checks'], 'checks');
  if (!checks.ok) return checks;
  const logs = listOf(report['logs'], 'logs');
  if (!logs.ok) return logs;
  const none: WatchSpec = { v: 1, checks: [], logs: [] };
  const samples: Sample[] = [];
  const checked = readChecks(checks.value, spec ?? none, samples);
  if (!checked.ok) return checked;
  const read = readLogs(logs.value, spec ?? none, samples);
  if (!read.ok) return read;
  return ok({ samples, checks: checked.value, logs: read.value });
}
