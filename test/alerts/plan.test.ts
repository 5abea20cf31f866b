import { describe, expect, it } from 'vitest';
import { alertCode, metricTag } from '../../src/alerts/codes.js';
import { groupByRecipients, planNotices, type PlanInput } from '../../src/alerts/plan.js';
import { nextAttemptAt } from '../../src/notify/backoff.js';
import { alertRecord, HOUR, MIN, NOW, rule, silence } from './fixtures.js';

const alert = alertRecord;

const plan = (input: Partial<PlanInput>) =>
  planNotices({ now: NOW, rules: new Map([['high-cpu', rule()], ['quiet', rule({ name: 'quiet', sendResolved: false })]]), firing: [], resolved: [], silences: [], hostsDown: new Set(), ...input });

const kinds = (input: Partial<PlanInput>): string[] => plan(input).notices.map((n) => `${n.kind}:${n.alert.code}`);

describe('planNotices', () => {
  it.each([
    ['a new firing alert is mailed', { firing: [alert()] }, ['firing:C1']],
    ['a notified one is not mailed again before repeat', { firing: [alert({ notifiedAt: NOW - 3 * HOUR })] }, []],
    ['a reminder goes out once repeat has passed', { firing: [alert({ notifiedAt: NOW - 4 * HOUR })] }, ['reminder:C1']],
    ['a resolved alert that was mailed is mailed', { resolved: [alert({ state: 'resolved', notifiedAt: NOW - HOUR })] }, ['resolved:C1']],
    ['a resolved alert never mailed (muted throughout) is not', { resolved: [alert({ state: 'resolved' })] }, []],
    ['sendResolved=false keeps resolved quiet', { resolved: [alert({ rule: 'quiet', state: 'resolved', notifiedAt: NOW - HOUR })] }, []],
    ['a silenced alert is not mailed', { firing: [alert()], silences: [silence()] }, []],
    ['a silence for another host does not mute', { firing: [alert()], silences: [silence({ host: 'f5' })] }, ['firing:C1']],
    ['a silence for another rule does not mute', { firing: [alert()], silences: [silence({ rule: 'disk-full' })] }, ['firing:C1']],
    ['a silence that has not started does not mute', { firing: [alert()], silences: [silence({ startsAt: NOW + MIN })] }, ['firing:C1']],
    ['a silence that ended does not mute: the alert is mailed now', { firing: [alert({ muted: 'silenced' })], silences: [silence({ endsAt: NOW })] }, ['firing:C1']],
    ['a silence on labels mutes only matching series', { firing: [alert({ labels: { mount: '/' } }), alert({ code: 'C2', labels: { mount: '/data' } })], silences: [silence({ labels: { mount: '/data' } })] }, ['firing:C1']],
    ['an alert of a host that is down is held back', { firing: [alert()], hostsDown: new Set(['f4']) }, []],
    ['the host-down alert itself is not held back', { firing: [alert({ rule: 'high-cpu', metric: 'host_up' })], hostsDown: new Set(['f4']) }, ['firing:C1']],
  ] as Array<[string, Partial<PlanInput>, string[]]>)('%s', (_name, input, expected) => {
    expect(kinds(input)).toEqual(expected);
  });

  it('records why an alert is muted, and clears it when it no longer is', () => {
    expect(plan({ firing: [alert()], silences: [silence()] }).mutes).toEqual([{ code: 'C1', reason: 'silenced by #3 until 2026-11-22T05:00:00Z (kernel update)' }]);
    expect(plan({ firing: [alert()], hostsDown: new Set(['f4']) }).mutes).toEqual([{ code: 'C1', reason: 'held back: host f4 is down' }]);
    expect(plan({ firing: [alert({ muted: 'held back: host f4 is down' })] }).mutes).toEqual([{ code: 'C1', reason: undefined }]);
  });
});

describe('groupByRecipients', () => {
  it('puts everything for the same people in one group, whatever the order of addresses', () => {
    const mk = (code: string, to?: string[]) => ({ kind: 'firing' as const, alert: alert({ code }), rule: rule({ to }) });
    const groups = groupByRecipients([mk('A'), mk('B', ['b@x', 'a@x']), mk('C'), mk('D', ['a@x', 'b@x'])], ['ops@x']);
    expect(groups.map((g) => [g.to, g.notices.map((n) => n.alert.code)])).toEqual([
      [['ops@x'], ['A', 'C']],
      [['a@x', 'b@x'], ['B', 'D']],
    ]);
  });
});

describe('alert codes', () => {
  it.each([
    ['cpu_percent', 'CPU'], ['cpu_iowait_percent', 'IOW'], ['mem_percent', 'MEM'], ['disk_used_percent', 'DISK'],
    ['disk_read_bytes_per_sec', 'DIO'], ['host_up', 'DOWN'], ['gpu_temp_c', 'GPU'], ['something_new', 'SOME'],
  ])('%s → %s', (metric, tag) => expect(metricTag(metric)).toBe(tag));

  it('reads day, hour, tag and a short hash, and grows the hash until unused', () => {
    const first = alertCode('high-cpu', 'cpu_percent', 'f4', {}, NOW, () => false);
    expect(first).toMatch(/^2204-CPU-[0-9a-f]{3}$/);
    const taken = new Set([first]);
    const second = alertCode('high-cpu', 'cpu_percent', 'f4', {}, NOW, (code) => taken.has(code));
    expect(second).toMatch(/^2204-CPU-[0-9a-f]{4}$/);
    expect(second.startsWith(first)).toBe(true);
  });
});

describe('outbox backoff', () => {
  it.each([[1, 1], [2, 2], [3, 4], [7, 60], [20, 60]])('after attempt %i waits %i min', (attempts, minutes) => {
    expect(nextAttemptAt(NOW, attempts) - NOW).toBe(minutes * MIN);
  });
});
