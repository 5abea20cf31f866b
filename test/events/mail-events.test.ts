import { describe, expect, it } from 'vitest';
import type { Notice } from '../../src/alerts/plan.js';
import type { HostEventsView } from '../../src/alerts/types.js';
import { hostEvents, MAIL_EVENT_HOSTS, MAIL_EVENTS_MARGIN_MS, MAIL_EVENTS_PER_HOST } from '../../src/events/mail-events.js';
import { eventsHtml, eventsText } from '../../src/mail/events-section.js';
import { alertRecord, MIN, NOW, rule } from '../alerts/fixtures.js';

const notice = (host: string, activeSince: number): Notice => ({ kind: 'firing', alert: alertRecord({ host, activeSince, code: `C-${host}` }), rule: rule() });

describe('events in alert mail', () => {
  it('reads each host once, from its earliest alert less the margin to now, the newest 10, hosts in order of appearance, 10 at most', () => {
    const asked: Array<[string, number, number, number]> = [];
    const notices = [notice('f4', NOW - 10 * MIN), notice('f5', NOW - 30 * MIN), notice('f4', NOW - 50 * MIN)];
    for (let i = 0; i < 12; i++) notices.push(notice(`g${i}`, NOW));
    const views = hostEvents(notices, NOW, (host, since, until, limit) => {
      asked.push([host, since, until, limit]);
      return host === 'f5' ? [] : [{ ts: since, kind: 'reboot', severity: 'warning', text: 'rebooted' }];
    });
    expect(asked).toHaveLength(MAIL_EVENT_HOSTS);
    expect(asked.slice(0, 2)).toEqual([
      ['f4', NOW - 50 * MIN - MAIL_EVENTS_MARGIN_MS, NOW, MAIL_EVENTS_PER_HOST],
      ['f5', NOW - 30 * MIN - MAIL_EVENTS_MARGIN_MS, NOW, MAIL_EVENTS_PER_HOST],
    ]);
    expect(views.map((v) => v.host)).toEqual(['f4', ...Array.from({ length: 8 }, (_, i) => `g${i}`)]); // f5 had none
  });

  it('renders host text inert: one line in the text part, escaped in the HTML part', () => {
    const hosts: HostEventsView[] = [
      {
        host: 'f4<i>',
        events: [
          { ts: NOW - MIN, kind: 'host_down', severity: 'critical', text: 'down: ssh: <script>alert(1)</script>\r\nSubject: forged' },
          { ts: NOW, kind: 'collector_upgraded', severity: 'info', text: 'collector 1.0 -> 1.1 & more' },
        ],
      },
    ];
    expect(eventsText(hosts)).toEqual([
      'Recent events on f4<i>',
      '  2026-11-22T03:59:00Z  host_down           down: ssh: <script>alert(1)</script> Subject: forged',
      '  2026-11-22T04:00:00Z  collector_upgraded  collector 1.0 -> 1.1 & more',
      '',
    ]);
    const html = eventsHtml(hosts);
    expect(html).toContain('Recent events on f4&lt;i&gt;');
    expect(html).toContain('down: ssh: &lt;script&gt;alert(1)&lt;/script&gt; Subject: forged');
    expect(html).toContain('collector 1.0 -&gt; 1.1 &amp; more');
    expect(html).not.toMatch(/<script|<i>/);
    expect(eventsText([])).toEqual([]);
    expect(eventsHtml([])).toBe('');
  });
});
