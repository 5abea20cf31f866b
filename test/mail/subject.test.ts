import { describe, expect, it } from 'vitest';
import { composeSubject, MAX_SUBJECT } from '../../src/mail/subject.js';
import { alertView, HOSTILE, hostDown } from './helpers.js';

const firing = alertView();
const resolved = alertView({ state: 'resolved', value: 71.2, resolvedAt: Date.UTC(2026, 10, 22, 4) });
const reminder = alertView({ reminder: true });
const disk = alertView({ rule: 'disk-full', metric: 'disk_used_percent', labels: { mount: '/' }, value: 93, severity: 'critical' });
const times = <T>(n: number, item: T): T[] => Array.from({ length: n }, () => item);

describe('composeSubject', () => {
  it.each([
    ['one firing alert', [firing], [], 'ALERT [f4] cpu_percent is 93.4 > 90 (high-cpu)'],
    ['one resolved alert', [resolved], [], 'RESOLVED [f4] cpu_percent is 71.2 (high-cpu)'],
    ['one reminder', [reminder], [], 'REMINDER [f4] cpu_percent is 93.4 > 90 (high-cpu)'],
    ['labels shown', [disk], [], 'ALERT [f4] disk_used_percent{mount=/} is 93 > 90 (disk-full)'],
    ['one host down alone', [], [hostDown({ host: 'f4' })], 'ALERT [f4] host down (connect-timeout)'],
    ['grouped', [...times(12, firing), ...times(3, resolved)], [], 'ALERT 12 firing, 3 resolved'],
    ['host down first', times(3, firing), [hostDown({ host: 'f4' })], 'ALERT f4 down, 3 firing'],
    ['many hosts down', [], times(5, hostDown()), 'ALERT 5 hosts down'],
    ['new among reminders', [...times(2, reminder), firing], [], 'ALERT 3 firing (1 new)'],
    ['only reminders', times(2, reminder), [], 'REMINDER 2 firing'],
    ['reminders and resolved', [reminder, resolved], [], 'REMINDER 1 firing, 1 resolved'],
    ['only resolved', times(3, resolved), [], 'RESOLVED 3 alerts'],
    ['nothing', [], [], 'metrix: nothing to report'],
  ])('%s', (_name, alerts, hostsDown, expected) => {
    expect(composeSubject({ alerts, hostsDown })).toBe(expected);
  });

  it('keeps hostile host, rule and label text on one line', () => {
    const subjects = [
      composeSubject({ alerts: [alertView({ host: HOSTILE.host, rule: HOSTILE.rule, labels: { mount: HOSTILE.label } })], hostsDown: [] }),
      composeSubject({ alerts: [], hostsDown: [hostDown({ host: HOSTILE.host, reason: HOSTILE.reason })] }),
      composeSubject({ alerts: [firing], hostsDown: [hostDown({ host: HOSTILE.host })] }),
    ];
    for (const subject of subjects) {
      expect(subject).not.toMatch(/[\r\n\u0000-\u001f\u2028\u202e]/);
      expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT);
    }
    expect(subjects[0]).toContain('[f4 Bcc: victim@example.org <script>alert(1)</script>]');
  });

  it('cuts an overlong subject with an ellipsis', () => {
    const subject = composeSubject({ alerts: [alertView({ host: 'h'.repeat(500) })], hostsDown: [] });
    expect(subject).toHaveLength(MAX_SUBJECT);
    expect(subject.endsWith('…')).toBe(true);
  });
});
