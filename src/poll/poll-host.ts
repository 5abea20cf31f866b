import { randomBytes } from 'node:crypto';
import type { WatchSpec } from '../../client-script/src/checks-spec.js';
import type { Report, Sample } from '../../client-script/src/protocol.js';
import { specArgs } from '../checks/spec-for-host.js';
import { validateWatched, type Watched } from '../checks/validate-watched.js';
import type { Host, Settings } from '../config/types.js';
import { openSealed } from '../crypto/sealed.js';
import type { HostKeys, KeyStore } from '../crypto/key-store.js';
import { errorMessage } from '../errors.js';
import { placeCounters } from '../metrics/counter-time.js';
import { deriveRates, rebootedBetween, type CounterSnapshot } from '../metrics/derive.js';
import type { PollRecord } from './records.js';
import { fail, ok, type Failure, type Outcome } from '../result.js';
import type { Transport } from './transport.js';
import { validateReport } from './validate-report.js';

export type Clock = () => number;

/** Counters older than this are no base for a rate: the first poll after a gap warms up instead. */
export const STALE_COUNTERS_MS = 10 * 60_000;
/** How long the collector waits between its two readings on a warm-up poll. */
export const WARMUP_MS = 300;

export interface PollContext {
  readonly settings: Settings;
  readonly keys: KeyStore;
  readonly transportOf: (host: Host) => Transport;
  /** The host's counters as last stored, undefined before its first poll. */
  readonly lastCounters: (host: string) => CounterSnapshot | undefined;
  readonly clock: Clock;
  readonly newChallenge?: () => string;
  /** The checks and logs the host's collector runs (config <checks>, <logs>); none when absent. */
  readonly specOf?: (host: Host) => WatchSpec | undefined;
}

const freshChallenge = (): string => randomBytes(18).toString('base64url');

/**
 * Polls one host: run the collector, open and check its output, derive rates. Never throws:
 * whatever the host sent, and any surprise on the way, is this host's failure alone.
 */
export async function pollHost(host: Host, ctx: PollContext): Promise<PollRecord> {
  const started = ctx.clock();
  let outcome: Outcome<Collected>;
  try {
    outcome = await collect(host, ctx, started);
  } catch (err) {
    outcome = { ok: false, failure: unusable(err) };
  }
  const ts = ctx.clock();
  const durationMs = ts - started;
  if (!outcome.ok) return failed(host, ts, durationMs, outcome.failure);
  try {
    return succeeded(host, outcome.value, ts, durationMs);
  } catch (err) {
    return failed(host, ts, durationMs, unusable(err));
  }
}

const unusable = (err: unknown): Failure => ({ reason: 'bad-output', message: `cannot use what the host sent: ${errorMessage(err)}` });

const pollSamples = (up: boolean, durationMs: number): Sample[] => [
  { m: 'host_up', v: up ? 1 : 0 },
  { m: 'poll_duration_sec', v: Math.round(durationMs) / 1000 },
];

function failed(host: Host, ts: number, durationMs: number, failure: Failure): PollRecord {
  return { host: host.name, ts, durationMs, failure, collector: undefined, samples: pollSamples(false, durationMs) };
}

function succeeded(host: Host, { report, previous, watched }: Collected, ts: number, durationMs: number): PollRecord {
  // Counters and a warm-up baseline sit where the host read them, not where the report ended (see counter-time.ts).
  const placed = placeCounters(report, ts, durationMs);
  const base = placed.baseline ?? previous;
  const uptime = report.gauges.find((sample) => sample.m === 'uptime_sec')?.v;
  const current = placed.counters;
  const rates = base ? deriveRates(base, current, rebootedBetween(base.ts, current.ts, uptime)) : [];
  return {
    host: host.name,
    ts,
    countersTs: current.ts,
    durationMs,
    failure: undefined,
    collector: report.collector,
    samples: [...report.gauges, ...report.counters, ...rates, ...watched.samples, ...pollSamples(true, durationMs)],
    warnings: report.errors.map((e) => `${e.collector}: ${e.message}`),
    ...(watched.checks.length > 0 || watched.logs.length > 0 ? { checks: watched.checks, logs: watched.logs } : {}),
  };
}

interface Collected {
  readonly report: Report;
  readonly previous: CounterSnapshot | undefined;
  readonly watched: Watched;
}

async function collect(host: Host, ctx: PollContext, now: number): Promise<Outcome<Collected>> {
  const keys = hostKeys(host, ctx.keys);
  if (!keys.ok) return keys;
  const challenge = (ctx.newChallenge ?? freshChallenge)();
  const previous = ctx.lastCounters(host.name);
  const warmUp = previous === undefined || now - previous.ts > STALE_COUNTERS_MS;
  const { commandTimeoutMs: timeoutMs, maxOutputBytes, maxSamples } = ctx.settings;
  const spec = ctx.specOf?.(host);
  const args = ['--challenge', challenge, '--deadline-ms', String(timeoutMs), ...(warmUp ? ['--warmup-ms', String(WARMUP_MS)] : []), ...specArgs(spec)];
  const output = await ctx.transportOf(host).exec(host, { args, timeoutMs, maxOutputBytes });
  if (!output.ok) return output;
  const opened = openSealed(output.value.stdout, {
    host: host.name,
    challenge,
    sharedKey: keys.value.sharedKey,
  });
  if (!opened.ok) return opened;
  const report = validateReport(opened.value, { maxSamples });
  if (!report.ok) return report;
  const watched = validateWatched(opened.value, spec);
  if (!watched.ok) return watched;
  const count = report.value.gauges.length + report.value.counters.length + watched.value.samples.length;
  if (count > maxSamples) return fail('too-many-samples', `report has ${count} samples with its checks and logs, over maxSamples ${maxSamples}`);
  return ok({ report: report.value, previous: warmUp ? undefined : previous, watched: watched.value });
}

function hostKeys(host: Host, keys: KeyStore): Outcome<HostKeys> {
  try {
    if (host.transport === 'local') return ok(keys.ensureHostKeys(host.name));
    const found = keys.hostKeys(host.name);
    return found ? ok(found) : fail('not-uploaded', `no key for this host yet: run metrix upload -h ${host.name}`);
  } catch (err) {
    return fail('keys', errorMessage(err));
  }
}
