import type { Config, HeartbeatConfig } from '../config/types.js';
import { urlOrigin } from '../config/http-url.js';
import { logLine, type Io } from '../cli/io.js';
import { metrixVersion } from '../cli/version.js';
import { errorMessage } from '../errors.js';
import type { RunRecord } from '../poll/records.js';
import type { HeartbeatBeat } from '../store/heartbeat-store.js';
import type { Store } from '../store/store.js';
import { httpPing } from './http-ping.js';

/**
 * How early a run may come and still count as `every` later: cron and `metrix run` start
 * runs on the beat give or take a little, and a beat missed by 50 ms would halve the rate.
 */
const EARLY_SHARE = 0.1;
const EARLY_MAX_MS = 30_000;

export type HeartbeatDecision = { readonly send: true } | { readonly send: false; readonly why?: string };

/**
 * Whether this run pings (pure). Not a stopped run, nor one in which every host failed: that
 * is what the poller's own breakage looks like (its network, keys, known_hosts), and the
 * watcher is then the one left to say so. Otherwise, when `every` has passed since the run
 * that last pinged, counted from run start to run start.
 */
export function planHeartbeat(heartbeat: HeartbeatConfig, run: RunRecord, last: HeartbeatBeat | undefined): HeartbeatDecision {
  if (run.stopped) return { send: false };
  if (!heartbeatDue(last, run.startedAt, heartbeat.everyMs)) return { send: false };
  const failed = run.polls.filter((poll) => poll.failure).length;
  if (failed > 0 && failed === run.polls.length) {
    return { send: false, why: `every host failed this run (${failed} of ${failed}); the watcher raises the alarm if this goes on` };
  }
  return { send: true };
}

export function heartbeatDue(last: HeartbeatBeat | undefined, runStartedAt: number, everyMs: number): boolean {
  if (last === undefined || everyMs === 0) return true;
  const elapsed = runStartedAt - last.runStartedAt;
  // A clock set back: better one ping too many than a watcher that hears nothing for as long.
  if (elapsed < 0) return true;
  return elapsed >= everyMs - Math.min(everyMs * EARLY_SHARE, EARLY_MAX_MS);
}

/**
 * After a good run (polls stored, alerting done): ping the heartbeat URL if one is configured
 * and due. Never throws and never changes how the run ends: a failure is one WARN line, and
 * since only an accepted ping is recorded, the next run tries again. `signal` cuts a ping short.
 */
export async function heartbeatAfterRun(config: Config, store: Store, io: Io, run: RunRecord, signal?: AbortSignal): Promise<void> {
  const heartbeat = config.heartbeat;
  if (!heartbeat) return;
  const origin = urlOrigin(heartbeat.url);
  try {
    const decision = planHeartbeat(heartbeat, run, store.heartbeat.last(heartbeat.url));
    if (!decision.send) {
      if (decision.why) logLine(io, 'WARN', `heartbeat to ${origin} not sent: ${decision.why}`);
      return;
    }
    const result = await httpPing(heartbeat.url, { timeoutMs: heartbeat.timeoutMs, userAgent: `metrix/${metrixVersion()}`, ...(signal ? { signal } : {}) });
    if (!result.ok) {
      logLine(io, 'WARN', `heartbeat to ${origin} failed: ${result.reason}; the next run tries again`);
      return;
    }
    store.heartbeat.record(heartbeat.url, { runStartedAt: run.startedAt, sentAt: io.clock() });
    logLine(io, 'INFO', `heartbeat sent to ${origin} (HTTP ${result.status})`);
  } catch (err) {
    logLine(io, 'WARN', `heartbeat to ${origin}: ${errorMessage(err)}`);
  }
}
