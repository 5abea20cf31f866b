import { describe, expect, it } from 'vitest';
import { BOOT_SLACK_MS, pollEvents, type HostBefore } from '../../src/events/poll-events.js';
import type { PollRecord } from '../../src/poll/records.js';

const T = Date.parse('2026-05-01T12:00:00Z');
const M = 60_000;

const good = (ts: number, uptimeSec: number, collector = '1.2.0'): PollRecord => ({
  host: 'n1',
  ts,
  durationMs: 800,
  failure: undefined,
  collector,
  samples: [{ m: 'host_up', v: 1 }, { m: 'uptime_sec', v: uptimeSec }],
});
const bad = (ts: number): PollRecord => ({
  host: 'n1',
  ts,
  durationMs: 10_000,
  failure: { reason: 'connect-timeout', message: 'no SSH handshake within 10s' },
  collector: undefined,
  samples: [{ m: 'host_up', v: 0 }],
});
const wasUp = (ts: number, uptimeSec: number, collector = '1.2.0'): HostBefore => ({ last: { ok: true }, lastOk: { ts, collector, uptimeSec } });
const wasDown = (lastOkTs: number, uptimeSec: number): HostBefore => ({ last: { ok: false }, lastOk: { ts: lastOkTs, collector: '1.2.0', uptimeSec } });
const kinds = (before: HostBefore, poll: PollRecord): string[] => pollEvents(before, poll).map((e) => e.kind);

describe('events from a poll', () => {
  it('host down with its reason when a poll fails after a good one, and not again while it stays down', () => {
    const [down] = pollEvents(wasUp(T - M, 1000), bad(T));
    expect(down).toMatchObject({ kind: 'host_down', severity: 'critical', host: 'n1', ts: T, text: 'down: connect-timeout: no SSH handshake within 10s' });
    expect(down!.details).toEqual({ reason: 'connect-timeout', message: 'no SSH handshake within 10s', poller_side: false });
    expect(kinds(wasDown(T - 2 * M, 1000), bad(T))).toEqual([]);
  });

  it("a failure on metrix's side (keys, upload) is said so, as a warning", () => {
    const keys: PollRecord = { ...bad(T), failure: { reason: 'keys', message: 'file keys/hosts/n1.key is open to others' } };
    expect(pollEvents(wasUp(T - M, 1000), keys)).toEqual([
      {
        ts: T, host: 'n1', kind: 'host_down', severity: 'warning', text: "not polled, on metrix's side: keys: file keys/hosts/n1.key is open to others",
        details: { reason: 'keys', message: 'file keys/hosts/n1.key is open to others', poller_side: true },
      },
    ]);
  });

  it('a host never polled is down at its first failed poll; a first good poll is no event', () => {
    expect(kinds({ last: undefined, lastOk: undefined }, bad(T))).toEqual(['host_down']);
    expect(kinds({ last: undefined, lastOk: undefined }, good(T, 50))).toEqual([]);
  });

  it('host up again after failures, saying how long it was unseen; nothing while it stays up', () => {
    const [up] = pollEvents(wasDown(T - 90 * M, 5000), good(T, 5000 + 90 * 60));
    expect(up).toMatchObject({ kind: 'host_up', severity: 'info', text: 'up again, last seen 1h 30m before' });
    expect(kinds(wasUp(T - M, 5000), good(T, 5060))).toEqual([]);
  });

  it('reboot when the uptime went back', () => {
    const events = pollEvents(wasUp(T - 5 * M, 86_400), good(T, 120));
    expect(events.map((e) => e.kind)).toEqual(['reboot']);
    expect(events[0]!.text).toBe('rebooted at about 2026-05-01T11:58:00Z (up 2m; had been up 1d when last seen)');
  });

  it('reboot during a long outage although the uptime is now longer than when last seen', () => {
    // Seen up 10 minutes, then down two days, back with 1 day of uptime: the boot time moved by a day.
    expect(kinds(wasDown(T - 2 * 1440 * M, 600), good(T, 86_400))).toEqual(['host_up', 'reboot']);
  });

  it('no reboot when the boot time only jitters by the poll duration, up to the slack', () => {
    // Uptime read 20 s earlier in the poll than last time: the boot time seems 20 s later.
    expect(kinds(wasUp(T - 5 * M, 10_000), good(T, 10_000 + 300 - 20))).toEqual([]);
    const justOver = 10_000 + 300 - BOOT_SLACK_MS / 1000 - 1;
    expect(kinds(wasUp(T - 5 * M, 10_000), good(T, justOver))).toEqual(['reboot']);
  });

  it('no reboot judged without an uptime on either side', () => {
    expect(kinds({ last: { ok: true }, lastOk: { ts: T - M, collector: '1.2.0', uptimeSec: undefined } }, good(T, 10))).toEqual([]);
    const noUptime: PollRecord = { ...good(T, 10), samples: [{ m: 'host_up', v: 1 }] };
    expect(kinds(wasUp(T - M, 5000), noUptime)).toEqual([]);
  });

  it('collector upgraded when the version reported changed', () => {
    const [event] = pollEvents(wasUp(T - M, 5000, '1.2.0'), good(T, 5060, '1.3.0'));
    expect(event).toMatchObject({ kind: 'collector_upgraded', severity: 'info', text: 'collector 1.2.0 -> 1.3.0', details: { from: '1.2.0', to: '1.3.0' } });
    expect(kinds(wasUp(T - M, 5000, '1.3.0'), good(T, 5060, '1.3.0'))).toEqual([]);
  });
});
