import { describe, expect, it } from 'vitest';
import { composeAlertMail, MAX_CHARTS } from '../../src/mail/compose.js';
import { alertView, HOSTILE, hostDown, MINUTE, notification, NOW, recordingChart } from './helpers.js';

const from = 'metrix@example.org';

describe('composeAlertMail', () => {
  it('says what, where, the value against the limit, since when, severity and code', async () => {
    const chart = recordingChart();
    const mail = await composeAlertMail(notification(), { from, chart: chart.render });
    expect(mail.text).toContain('average over 5m: 93.4 > 90');
    expect(mail.html).toContain('average over 5m: 93.4 &gt; 90');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('high-cpu on f4');
      expect(part).toContain('cpu_percent');
      expect(part).toContain('2026-11-22T03:48:00Z (for 12m)');
      expect(part).toContain('warning');
      expect(part).toContain('2611-CPU-f4a');
    }
    expect(mail.subject).toBe('ALERT [f4] cpu_percent is 93.4 > 90 (high-cpu)');
    expect(mail.from).toBe(from);
    expect(mail.to).toEqual(['ops@example.org']);
    expect(mail.messageId).toBe('<n-20261122-0001@metrix>');
    expect(mail.date).toBe(NOW);
    expect(mail.headers['Auto-Submitted']).toBe('auto-generated');
  });

  it('says "last sample" for a rule without a window, and how a resolved alert ended', async () => {
    const chart = recordingChart();
    const mail = await composeAlertMail(
      notification({ alerts: [alertView({ windowMs: 0, state: 'resolved', value: 71.2, resolvedAt: NOW - 2 * MINUTE })] }),
      { from, chart: chart.render },
    );
    expect(mail.text).toContain('last sample: 71.2 (fires when > 90)');
    expect(mail.text).toContain('from 2026-11-22T03:48:00Z to 2026-11-22T03:58:00Z (10m)');
    expect(mail.text).toContain('RESOLVED  high-cpu on f4');
  });

  it('lists hosts down first, then firing by severity, then resolved', async () => {
    const chart = recordingChart();
    const mail = await composeAlertMail(
      notification({
        alerts: [
          alertView({ rule: 'was-hot', host: 'f1', state: 'resolved', resolvedAt: NOW }),
          alertView({ rule: 'warm', host: 'f2', severity: 'info' }),
          alertView({ rule: 'disk-full', host: 'f3', severity: 'critical' }),
          alertView({ rule: 'high-cpu', host: 'f0', severity: 'warning' }),
        ],
        hostsDown: [hostDown({ host: 'f7' })],
      }),
      { from, chart: chart.render },
    );
    const order = ['f7 is down since', 'disk-full on f3', 'high-cpu on f0', 'warm on f2', 'was-hot on f1'].map((s) => mail.text.indexOf(s));
    expect(order.every((pos) => pos >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(mail.text).toContain('its other alerts are held back');
    expect(mail.text).toContain('connect-timeout: no SSH handshake within 10s');
    expect(chart.inputs.map((i) => i.host)).toEqual(['f3', 'f0', 'f2', 'f1']);
  });

  it('attaches one chart per alert, inline by cid, and one CSV of all samples', async () => {
    const chart = recordingChart();
    const alerts = [alertView(), alertView({ code: 'C-2', host: 'f5', metric: 'mem_percent', samples: [{ ts: NOW, value: 80 }] })];
    const mail = await composeAlertMail(notification({ alerts }), { from, chart: chart.render });
    const pngs = mail.attachments.filter((a) => a.contentType === 'image/png');
    expect(pngs.map((a) => a.filename)).toEqual(['chart-1-2611-CPU-f4a.png', 'chart-2-C-2.png']);
    for (const png of pngs) expect(mail.html).toContain(`src="cid:${png.contentId}"`);
    expect(new Set(pngs.map((a) => a.contentId)).size).toBe(2);
    const csv = mail.attachments.filter((a) => a.contentType.startsWith('text/csv'));
    expect(csv).toHaveLength(1);
    expect(csv[0]?.content.toString('utf8').split('\r\n').filter(Boolean)).toHaveLength(1 + 30 + 1);
    expect(chart.inputs[0]).toMatchObject({ metric: 'cpu_percent', host: 'f4', limit: 90, op: '>', now: NOW, points: alerts[0]?.samples });
  });

  it(`draws at most ${MAX_CHARTS} charts and says so, while the CSV keeps every alert`, async () => {
    const chart = recordingChart();
    const alerts = Array.from({ length: MAX_CHARTS + 4 }, (_, i) => alertView({ code: `C-${i}`, host: `f${String(i).padStart(2, '0')}` }));
    const mail = await composeAlertMail(notification({ alerts }), { from, chart: chart.render });
    expect(chart.inputs).toHaveLength(MAX_CHARTS);
    expect(mail.attachments.filter((a) => a.contentType === 'image/png')).toHaveLength(MAX_CHARTS);
    expect(mail.text).toContain(`Charts are attached for the first ${MAX_CHARTS} of ${MAX_CHARTS + 4} alerts`);
    const csv = mail.attachments.find((a) => a.filename.endsWith('.csv'))?.content.toString('utf8') ?? '';
    expect(csv).toContain('C-13,f13,');
  });

  it('still makes the mail when a chart fails to draw, and says why', async () => {
    const mail = await composeAlertMail(notification(), {
      from,
      chart: async () => {
        throw new Error('no fonts\nat all');
      },
    });
    expect(mail.attachments.map((a) => a.contentType)).toEqual(['text/csv; charset=utf-8']);
    expect(mail.text).toContain('could not be drawn (no fonts at all)');
    expect(mail.html).not.toContain('cid:');
  });

  it('is the same message when composed again: same Message-ID, Date and parts', async () => {
    const a = await composeAlertMail(notification(), { from, chart: recordingChart().render });
    const b = await composeAlertMail(notification(), { from, chart: recordingChart().render });
    expect(b).toEqual(a);
  });

  it('keeps hostile hosts, rules, labels and reasons out of headers and markup', async () => {
    const mail = await composeAlertMail(
      notification({
        id: 'id\r\nBcc: x@y',
        alerts: [alertView({ host: HOSTILE.host, rule: HOSTILE.rule, code: HOSTILE.code, labels: { mount: HOSTILE.label } })],
        hostsDown: [hostDown({ host: HOSTILE.host, reason: HOSTILE.reason })],
      }),
      { from, chart: recordingChart().render },
    );
    expect(mail.subject).not.toMatch(/[\r\n]/);
    for (const value of [mail.messageId, ...Object.values(mail.headers)]) expect(value).not.toMatch(/[\r\n]/);
    expect(mail.html).not.toMatch(/<script|<img src=x|<b>evil|onerror=alert\(1\)>/i);
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(mail.text).not.toMatch(/^(Bcc|X-Injected|Subject):/m);
    for (const a of mail.attachments) expect(a.filename).toMatch(/^[A-Za-z0-9._-]+$/);
    const csv = mail.attachments.find((a) => a.filename.endsWith('.csv'))?.content.toString('utf8') ?? '';
    expect(csv).toContain(`"${HOSTILE.host.replace(/"/g, '""')}"`);
  });
});
