import { readFileSync } from 'node:fs';
import type { Config, RemoteWriteConfig } from '../config/types.js';
import { urlOrigin } from '../config/http-url.js';
import { logLine, type Io } from '../cli/io.js';
import { metrixVersion } from '../cli/version.js';
import { POLLER_HOST } from '../alerts/self-monitoring.js';
import { errorMessage } from '../errors.js';
import type { Store } from '../store/store.js';
import { createPoster } from './post.js';
import { sendQueue, type SendReport } from './send.js';

/**
 * The most one run spends sending: execute ends within it (cron's next run is a minute away),
 * and `metrix run` never spends more than half the wait before its next cycle.
 */
export const REMOTE_WRITE_BUDGET_MS = 30_000;
/** A store's answer is quoted in the log this far. */
const MAX_QUOTED = 200;
const MAX_HOSTS_NAMED = 10;

/**
 * After a run is stored: sends the remote-write queue (this run's rows and whatever earlier runs
 * could not send), within `budgetMs`, and records metrix's own figures of it on host
 * "(metrix)". Never throws: a store that is down is a WARN, and the queue waits for the next run.
 */
export async function remoteWriteAfterRun(config: Config, store: Store, io: Io, budgetMs: number, signal?: AbortSignal): Promise<void> {
  const remoteWrite = config.remoteWrite;
  if (!remoteWrite) return;
  const origin = urlOrigin(remoteWrite.url);
  try {
    const authorization = authorizationOf(remoteWrite, io.env);
    if ('missing' in authorization) {
      logLine(io, 'ERROR', `remote write to ${origin} not sent: the environment variable ${authorization.missing} is not set; ${describeLeft(store.remoteWrite.depth().samples)}`);
      return;
    }
    const ca = remoteWrite.caFile === undefined ? undefined : readFileSync(remoteWrite.caFile);
    const poster = createPoster({ url: remoteWrite.url, userAgent: `metrix/${metrixVersion()}`, authorization: authorization.value, ca });
    const report = await sendQueue(store.remoteWrite, remoteWrite, { poster, clock: io.clock, sleep: io.sleep, budgetMs, ...(signal ? { signal } : {}) });
    logReport(io, origin, report);
    store.writeSamples(POLLER_HOST, io.clock(), [
      { m: 'metrix_remote_write_queued', v: report.left.samples },
      { m: 'metrix_remote_write_sent_total', v: store.remoteWrite.total('remote_write_sent') },
      { m: 'metrix_remote_write_dropped_total', v: store.remoteWrite.total('remote_write_dropped') },
    ]);
  } catch (err) {
    logLine(io, 'ERROR', `remote write to ${origin} failed: ${errorMessage(err)}; the queue is kept for the next run`);
  }
}

type Authorization = { readonly value: string | undefined } | { readonly missing: string };

/** The Authorization header, from the environment variable the config names (never from the file). */
function authorizationOf(remoteWrite: RemoteWriteConfig, env: Io['env']): Authorization {
  const { auth } = remoteWrite;
  if (auth.kind === 'none') return { value: undefined };
  const name = auth.kind === 'bearer' ? auth.tokenEnv : auth.passwordEnv;
  const secret = env[name];
  if (secret === undefined || secret === '') return { missing: name };
  return { value: auth.kind === 'bearer' ? `Bearer ${secret}` : `Basic ${Buffer.from(`${auth.user}:${secret}`).toString('base64')}` };
}

function logReport(io: Io, origin: string, report: SendReport): void {
  if (report.trimmed.samples > 0) {
    logLine(io, 'WARN', `remote write queue over its limit (maxQueued): dropped the oldest ${report.trimmed.samples} samples (${report.trimmed.rows} polls) unsent`);
  }
  if (report.gone.samples > 0) {
    logLine(io, 'WARN', `remote write: dropped ${report.gone.samples} queued samples (${report.gone.rows} polls) no longer stored (past retention) unsent`);
  }
  // One line per distinct answer: a store that refuses everything is not a thousand lines.
  const byAnswer = new Map<string, { status: number; body: string; hosts: Set<string>; samples: number }>();
  for (const refusal of report.refused) {
    const key = `${refusal.status} ${refusal.body}`;
    const seen = byAnswer.get(key) ?? { status: refusal.status, body: refusal.body, hosts: new Set<string>(), samples: 0 };
    for (const host of refusal.hosts) seen.hosts.add(host);
    seen.samples += refusal.samples;
    byAnswer.set(key, seen);
  }
  for (const { status, body, hosts, samples } of byAnswer.values()) {
    logLine(io, 'ERROR', `remote write to ${origin} refused ${samples} samples of ${describeHosts([...hosts])} for good (HTTP ${status}${body ? `: ${quote(body)}` : ''}): dropped, not sent again`);
  }
  const requests = `${report.requests} request${report.requests === 1 ? '' : 's'}`;
  const sent = report.sentSamples > 0 ? `sent ${report.sentSamples} samples in ${requests} (${report.wireBytes} bytes)` : 'sent nothing';
  if (report.stopped !== undefined && report.left.samples > 0) {
    logLine(io, report.misconfigured ? 'ERROR' : 'WARN', `remote write to ${origin}: ${sent}; stopped: ${quote(report.stopped)}; ${describeLeft(report.left.samples)}`);
  } else if (report.sentSamples > 0) {
    logLine(io, 'INFO', `remote write to ${origin}: ${sent}`);
  }
}

function describeHosts(hosts: readonly string[]): string {
  return hosts.length > MAX_HOSTS_NAMED ? `${hosts.slice(0, MAX_HOSTS_NAMED).join(', ')} and ${hosts.length - MAX_HOSTS_NAMED} more hosts` : hosts.join(', ');
}

const quote = (text: string): string => (text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text);
const describeLeft = (samples: number): string => `${samples} samples wait in the queue for the next run`;
