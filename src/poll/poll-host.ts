import { randomBytes } from 'node:crypto';
import type { Report, Sample } from '../../client-script/src/protocol.js';
import type { Host, Settings } from '../config/types.js';
import { openSealed } from '../crypto/sealed.js';
import type { HostKeys, KeyStore } from '../crypto/key-store.js';
import { errorMessage } from '../errors.js';
import { deriveRates, rebootedBetween, type CounterSnapshot } from '../metrics/derive.js';
import type { PollRecord } from './records.js';
import { fail, ok, type Outcome } from '../result.js';
import type { Transport } from './transport.js';

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
}

const freshChallenge = (): string => randomBytes(18).toString('base64url');

/** Polls one host: run the collector, open its output, derive rates. Never throws for the host's own failure. */
export async function pollHost(host: Host, ctx: PollContext): Promise<PollRecord> {
  const started = ctx.clock();
  const outcome = await collect(host, ctx, started);
  const ts = ctx.clock();
  const durationMs = ts - started;
  const pollSamples: Sample[] = [
    { m: 'host_up', v: outcome.ok ? 1 : 0 },
    { m: 'poll_duration_sec', v: Math.round(durationMs) / 1000 },
  ];
  if (!outcome.ok) return { host: host.name, ts, durationMs, failure: outcome.failure, collector: undefined, samples: pollSamples };
  const { report, previous } = outcome.value;
  const current = { ts, counters: report.counters };
  // A warm-up baseline was read on the host's clock: place it before `ts` by the host's own interval.
  const base = report.baseline ? { ts: ts - (report.ts - report.baseline.ts), counters: report.baseline.counters } : previous;
  const uptime = report.gauges.find((sample) => sample.m === 'uptime_sec')?.v;
  const rates = base ? deriveRates(base, current, rebootedBetween(base.ts, ts, uptime)) : [];
  return {
    host: host.name,
    ts,
    durationMs,
    failure: undefined,
    collector: report.collector,
    samples: [...report.gauges, ...report.counters, ...rates, ...pollSamples],
    warnings: report.errors.map((e) => `${e.collector}: ${e.message}`),
  };
}

async function collect(host: Host, ctx: PollContext, now: number): Promise<Outcome<{ report: Report; previous: CounterSnapshot | undefined }>> {
  const keys = hostKeys(host, ctx.keys);
  if (!keys.ok) return keys;
  const challenge = (ctx.newChallenge ?? freshChallenge)();
  const previous = ctx.lastCounters(host.name);
  const warmUp = previous === undefined || now - previous.ts > STALE_COUNTERS_MS;
  const { commandTimeoutMs: timeoutMs, maxOutputBytes } = ctx.settings;
  const args = ['--challenge', challenge, '--deadline-ms', String(timeoutMs), ...(warmUp ? ['--warmup-ms', String(WARMUP_MS)] : [])];
  const output = await ctx.transportOf(host).exec(host, { args, timeoutMs, maxOutputBytes });
  if (!output.ok) return output;
  const report = openSealed(output.value.stdout, {
    host: host.name,
    challenge,
    hostPublicKey: keys.value.publicKey,
    pollerSecretKey: ctx.keys.poller.secretKey,
  });
  return report.ok ? ok({ report: report.value, previous: warmUp ? undefined : previous }) : report;
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
