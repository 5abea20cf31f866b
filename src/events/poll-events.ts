import { POLLER_SIDE } from '../alerts/self-monitoring.js';
import type { PollRecord } from '../poll/records.js';
import { formatDuration } from '../mail/format.js';
import type { NewEvent } from '../store/event-store.js';
import { formatUtc } from '../text/time.js';

/**
 * How far the boot time worked out from two polls (poll end − uptime) may move without a
 * reboot: the uptime is read during the poll, up to the command timeout before its end, and
 * clocks are adjusted. A reboot in between moves it by at least the time the host had been up.
 */
export const BOOT_SLACK_MS = 5 * 60_000;

/** What the store knew about a host before this poll. */
export interface HostBefore {
  /** Its latest poll; undefined for a host never polled. */
  readonly last: { readonly ok: boolean } | undefined;
  /** Its latest good poll: when, the collector version it reported, and its uptime then. */
  readonly lastOk: { readonly ts: number; readonly collector: string | undefined; readonly uptimeSec: number | undefined } | undefined;
}

const uptimeOf = (poll: PollRecord): number | undefined => {
  const sample = poll.samples.find((s) => s.m === 'uptime_sec');
  return sample !== undefined && Number.isFinite(sample.v) && sample.v >= 0 ? sample.v : undefined;
};

/**
 * The events one poll makes, given what came before: down and up on a change of state only
 * (a host never polled that fails is down; one that answers at once is not news), a reboot
 * when the host's boot time moved, a collector version that changed. Pure.
 */
export function pollEvents(before: HostBefore, poll: PollRecord): NewEvent[] {
  const { host, ts } = poll;
  if (poll.failure) {
    if (before.last && !before.last.ok) return [];
    const { reason, message } = poll.failure;
    // A failure on metrix's side (its keys, an upload missing) is no news about the host: said so, as a warning.
    const ours = POLLER_SIDE.includes(reason);
    const text = ours ? `not polled, on metrix's side: ${reason}: ${message}` : `down: ${reason}: ${message}`;
    return [{ ts, host, kind: 'host_down', severity: ours ? 'warning' : 'critical', text, details: { reason, message, poller_side: ours } }];
  }
  const events: NewEvent[] = [];
  if (before.last && !before.last.ok) {
    const since = before.lastOk ? `, last seen ${formatDuration(ts - before.lastOk.ts)} before` : '';
    events.push({ ts, host, kind: 'host_up', severity: 'info', text: `up again${since}`, details: { last_seen: before.lastOk ? formatUtc(before.lastOk.ts) : null } });
  }
  const reboot = rebootEvent(before.lastOk, poll);
  if (reboot) events.push(reboot);
  const was = before.lastOk?.collector;
  if (was !== undefined && poll.collector !== undefined && was !== poll.collector) {
    events.push({ ts, host, kind: 'collector_upgraded', severity: 'info', text: `collector ${was} -> ${poll.collector}`, details: { from: was, to: poll.collector } });
  }
  return events;
}

/** A reboot between the last good poll and this one: the uptime went back, or the boot time moved on. */
function rebootEvent(lastOk: HostBefore['lastOk'], poll: PollRecord): NewEvent | undefined {
  const uptime = uptimeOf(poll);
  if (lastOk?.uptimeSec === undefined || uptime === undefined) return undefined;
  const bootWas = lastOk.ts - lastOk.uptimeSec * 1000;
  const boot = poll.ts - uptime * 1000;
  if (!(uptime < lastOk.uptimeSec || boot - bootWas > BOOT_SLACK_MS)) return undefined;
  return {
    ts: poll.ts,
    host: poll.host,
    kind: 'reboot',
    severity: 'warning',
    text: `rebooted at about ${formatUtc(boot)} (up ${formatDuration(uptime * 1000)}; had been up ${formatDuration(lastOk.uptimeSec * 1000)} when last seen)`,
    details: { boot: formatUtc(boot), previous_boot: formatUtc(bootWas), uptime_sec: uptime },
  };
}
