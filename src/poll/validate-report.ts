import type { CollectorError, Report, Sample } from '../../client-script/src/protocol.js';
import { metricInfo, valueRange, type MetricKind } from '../metrics/catalog.js';
import { fail, ok, type Outcome } from '../result.js';
import { hasUnsafeChars } from '../text/escape.js';

// A report that opens with the host's real key is authentic, not well-formed: the host (or
// whoever holds its key) chose every byte. Everything in it is checked here before any of it
// is used or stored, and the report is rebuilt from the checked fields only.

/** Caps on what one report may hold beyond `maxSamples`; generous for any real host. */
export const REPORT_CAPS = {
  labelsPerSample: 8,
  labelKeyLength: 64,
  labelValueLength: 512,
  errors: 100,
  errorMessageLength: 1000,
  collectorNameLength: 64,
  versionLength: 64,
} as const;

export interface ReportLimits {
  /** Most gauges + counters one report may carry (Settings.maxSamples). */
  readonly maxSamples: number;
}

type Problem = string | undefined;
type Obj = Readonly<Record<string, unknown>>;

const LABEL_KEY = /^[a-z_][a-z0-9_]*$/;
const PREVIEW = 40;

const bad = (why: string): Outcome<never> => fail('bad-output', `malformed report: ${why}`);
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;

/** A short, quoted, escaped rendering of what the host sent, for a message. */
function shown(value: unknown): string {
  if (typeof value !== 'string') return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
  const text = JSON.stringify(value.slice(0, PREVIEW));
  return value.length > PREVIEW ? `${text}… (${value.length} chars)` : text;
}

function checkString(value: unknown, what: string, maxLength: number, allowControl: boolean): Problem {
  if (typeof value !== 'string') return `${what} is ${shown(value)}, not a string`;
  if (value.length > maxLength) return `${what} has ${value.length} chars, over ${maxLength}`;
  if (!allowControl && hasUnsafeChars(value)) return `${what} ${shown(value)} holds control characters`;
  return undefined;
}

function checkLabels(metric: string, labels: unknown, allowed: readonly string[]): Problem {
  if (!isObject(labels)) return `${metric}: labels are ${shown(labels)}, not an object`;
  const keys = Object.keys(labels);
  if (keys.length > REPORT_CAPS.labelsPerSample) return `${metric}: ${keys.length} labels, over ${REPORT_CAPS.labelsPerSample}`;
  for (const key of keys) {
    if (key.length > REPORT_CAPS.labelKeyLength || !LABEL_KEY.test(key)) return `${metric}: bad label name ${shown(key)}`;
    if (!allowed.includes(key)) return `${metric} has no label ${shown(key)} (${allowed.length ? `it has: ${allowed.join(', ')}` : 'it has none'})`;
    const problem = checkString(labels[key], `${metric} label ${key}`, REPORT_CAPS.labelValueLength, false);
    if (problem) return problem;
  }
  return undefined;
}

function checkSample(value: unknown, kind: MetricKind): Problem {
  if (!isObject(value)) return `a sample is ${shown(value)}, not {m, v, l}`;
  const { m, v, l } = value;
  if (typeof m !== 'string') return `a metric name is ${shown(m)}, not a string`;
  const info = metricInfo(m);
  if (info === undefined) return `unknown metric ${shown(m)}: upload a collector that matches this metrix`;
  if (info.kind !== kind) return `${m} is a ${info.kind} metric, not a ${kind}`;
  if (typeof v !== 'number' || !Number.isFinite(v)) return `${m} value is ${typeof v === 'number' ? String(v) : shown(v)}, not a finite number`;
  const range = valueRange(m);
  if (v < range.min || v > range.max) return `${m} value ${v} is outside ${range.min}..${range.max}`;
  return l === undefined ? undefined : checkLabels(m, l, info.labels);
}

/** The samples rebuilt from their checked fields, or the first problem with its place ("gauges[3]: …"). */
function checkSamples(list: readonly unknown[], where: string, kind: MetricKind): Outcome<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < list.length; i++) {
    const problem = checkSample(list[i], kind);
    if (problem) return bad(`${where}[${i}]: ${problem}`);
    const { m, v, l } = list[i] as { m: string; v: number; l?: Record<string, string> };
    samples.push(l === undefined ? { m, v } : { m, v, l: { ...l } });
  }
  return ok(samples);
}

/**
 * Collector errors are warnings on a good poll, so too many or too long ones are cut, not
 * fatal: a host with 300 stale NFS mounts still reports its CPU. Their form is still checked.
 */
function checkErrors(list: readonly unknown[]): Outcome<CollectorError[]> {
  const errors: CollectorError[] = [];
  const kept = Math.min(list.length, REPORT_CAPS.errors);
  for (let i = 0; i < kept; i++) {
    const entry = list[i];
    if (!isObject(entry)) return bad(`errors[${i}] is ${shown(entry)}, not {collector, message}`);
    const problem =
      checkString(entry['collector'], `errors[${i}].collector`, REPORT_CAPS.collectorNameLength, false) ??
      (typeof entry['message'] === 'string' ? undefined : `errors[${i}].message is ${shown(entry['message'])}, not a string`);
    if (problem) return bad(problem);
    // Messages may quote what a host printed; the log escapes them, so control characters may stay.
    errors.push({ collector: entry['collector'] as string, message: cut(entry['message'] as string, REPORT_CAPS.errorMessageLength) });
  }
  if (list.length > kept) errors.push({ collector: 'metrix', message: `${list.length - kept} more collector errors not shown (at most ${REPORT_CAPS.errors} are kept)` });
  return ok(errors);
}

const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

/**
 * Checks an opened report field by field and returns a copy made of checked fields only.
 * Malformed content fails as 'bad-output'; more samples than `maxSamples` as 'too-many-samples'.
 */
export function validateReport(value: unknown, limits: ReportLimits): Outcome<Report> {
  if (!isObject(value)) return bad(`the payload is ${shown(value)}, not an object`);
  const { v, host, challenge, ts, countersAt, collector, gauges, counters, baseline, errors } = value;
  if (typeof v !== 'number' || typeof host !== 'string' || typeof challenge !== 'string') return bad('no version, host or challenge');
  if (!isTime(ts)) return bad(`ts is ${typeof ts === 'number' ? String(ts) : shown(ts)}, not a time`);
  if (countersAt !== undefined && !isTime(countersAt)) return bad(`countersAt is ${typeof countersAt === 'number' ? String(countersAt) : shown(countersAt)}, not a time`);
  const version = checkString(collector, 'the collector version', REPORT_CAPS.versionLength, false);
  if (version) return bad(version);
  if (!Array.isArray(gauges)) return bad(`gauges is ${shown(gauges)}, not a list`);
  if (!Array.isArray(counters)) return bad(`counters is ${shown(counters)}, not a list`);
  if (!Array.isArray(errors)) return bad(`errors is ${shown(errors)}, not a list`);
  if (baseline !== undefined && !(isObject(baseline) && isTime(baseline['ts']) && Array.isArray(baseline['counters']))) {
    return bad('baseline is not {ts, counters}');
  }
  const baselineCounters = (baseline?.['counters'] as unknown[] | undefined) ?? [];
  // Counted before anything else is looked at: a flood is refused without walking it.
  const count = gauges.length + counters.length;
  if (count > limits.maxSamples) return fail('too-many-samples', `report has ${count} samples, over maxSamples ${limits.maxSamples}`);
  if (baselineCounters.length > limits.maxSamples) {
    return fail('too-many-samples', `report's warm-up baseline has ${baselineCounters.length} samples, over maxSamples ${limits.maxSamples}`);
  }

  const checkedGauges = checkSamples(gauges, 'gauges', 'gauge');
  if (!checkedGauges.ok) return checkedGauges;
  const checkedCounters = checkSamples(counters, 'counters', 'counter');
  if (!checkedCounters.ok) return checkedCounters;
  const checkedBaseline = checkSamples(baselineCounters, 'baseline.counters', 'counter');
  if (!checkedBaseline.ok) return checkedBaseline;
  const checkedErrors = checkErrors(errors);
  if (!checkedErrors.ok) return checkedErrors;

  return ok({
    v,
    host,
    challenge,
    ts,
    ...(countersAt === undefined ? {} : { countersAt }),
    collector: collector as string,
    gauges: checkedGauges.value,
    counters: checkedCounters.value,
    ...(baseline === undefined ? {} : { baseline: { ts: baseline['ts'] as number, counters: checkedBaseline.value } }),
    errors: checkedErrors.value,
  });
}
