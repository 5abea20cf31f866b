import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailConfig } from '../../src/config/types.js';
import { renderChart } from '../../src/mail/chart.js';
import { composeAlertMail } from '../../src/mail/compose.js';
import { composeTestMail } from '../../src/mail/test-message.js';
import { buildRawMessage, createMailer } from '../../src/mail/transport.js';
import { alertView, HOSTILE, notification, NOW, parseCsv, pngSize } from './helpers.js';
import { makeCertificate, parseMail, startSmtpServer, type TestCertificate, type TestSmtpServer } from './smtp-server.js';

const FROM = 'metrix@example.org';
const TO = ['ops@example.org', 'oncall@example.org'];
const LOGIN = { user: 'metrix', password: 's3cret pass' };
let dir: string;
let cert: TestCertificate;
const servers: Record<'none' | 'starttls' | 'tls', TestSmtpServer | undefined> = { none: undefined, starttls: undefined, tls: undefined };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'metrix-mail-'));
  cert = makeCertificate(dir);
  // The plain server offers STARTTLS too: security="none" must not take it up.
  servers.none = await startSmtpServer({ security: 'none', certificate: cert });
  servers.starttls = await startSmtpServer({ security: 'starttls', certificate: cert, auth: LOGIN });
  servers.tls = await startSmtpServer({ security: 'tls', certificate: cert, auth: LOGIN });
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s?.stop()));
  rmSync(dir, { recursive: true, force: true });
});

const server = (security: keyof typeof servers): TestSmtpServer => {
  const s = servers[security];
  if (!s) throw new Error(`no ${security} server`);
  return s;
};

const configFor = (security: keyof typeof servers): MailConfig => ({
  transport: 'smtp',
  giveUpAfterMs: 86_400_000,
  timeoutMs: 10_000,
  from: FROM,
  to: TO,
  host: '127.0.0.1',
  port: server(security).port,
  security,
  user: security === 'none' ? undefined : LOGIN.user,
  passwordEnv: security === 'none' ? undefined : 'METRIX_SMTP_PASSWORD',
  caFile: security === 'none' ? undefined : cert.certPath,
});

const secretsFor = (security: keyof typeof servers) => ({ password: security === 'none' ? undefined : LOGIN.password });

async function sendAndReceive(security: keyof typeof servers, message: Awaited<ReturnType<typeof composeAlertMail>>): Promise<ParsedMail> {
  const before = server(security).received.length;
  const mailer = createMailer(configFor(security), secretsFor(security));
  const result = await mailer.send(message);
  mailer.close();
  expect(result).toMatchObject({ ok: true, messageId: message.messageId, rejected: [] });
  const received = server(security).received.slice(before);
  expect(received).toHaveLength(1);
  const mail = received[0];
  if (!mail) throw new Error('nothing received');
  expect(mail.from).toBe(FROM);
  expect(mail.to).toEqual(TO);
  expect(mail.secure).toBe(security !== 'none');
  expect(mail.user).toBe(security === 'none' ? undefined : LOGIN.user);
  return parseMail(mail.raw);
}

describe.each(['none', 'starttls', 'tls'] as const)('SMTP security="%s"', (security) => {
  it('delivers the alert mail with its parts intact', async () => {
    const alert = alertView({ labels: { core: 'all' } });
    const message = await composeAlertMail(notification({ to: TO, alerts: [alert] }), { from: FROM, chart: renderChart });
    const parsed = await sendAndReceive(security, message);

    expect(parsed.subject).toBe('ALERT [f4] cpu_percent{core=all} is 93.4 > 90 (high-cpu)');
    expect(parsed.messageId).toBe('<n-20261122-0001@metrix>');
    expect(parsed.date?.getTime()).toBe(NOW);
    expect(parsed.from?.value[0]?.address).toBe(FROM);
    const to = Array.isArray(parsed.to) ? parsed.to.flatMap((a) => a.value) : (parsed.to?.value ?? []);
    expect(to.map((a) => a.address)).toEqual(TO);
    for (const part of [parsed.text ?? '', typeof parsed.html === 'string' ? parsed.html : '']) {
      for (const needle of ['93.4', '90', '2611-CPU-f4a', 'f4', 'high-cpu', 'average over 5m']) expect(part).toContain(needle);
    }

    const png = parsed.attachments.find((a) => a.contentType === 'image/png');
    expect(png).toBeDefined();
    const size = pngSize(png?.content ?? Buffer.alloc(0));
    expect(size?.width).toBeGreaterThanOrEqual(1200);
    expect(size?.height).toBeGreaterThanOrEqual(400);
    expect(size?.width).toBeLessThanOrEqual(2400);
    expect(size?.height).toBeLessThanOrEqual(1000);
    const cid = (png?.contentId ?? '').replace(/^<|>$/g, '');
    expect(cid).not.toBe('');
    expect(parsed.html).toContain(`src="cid:${cid}"`);

    const csv = parsed.attachments.find((a) => a.filename?.endsWith('.csv'));
    const rows = parseCsv(csv?.content.toString('utf8') ?? '');
    expect(rows[0]).toEqual(['code', 'host', 'metric', 'labels', 'time', 'value']);
    expect(rows.slice(1)).toEqual(alert.samples.map((p) => ['2611-CPU-f4a', 'f4', 'cpu_percent', 'core=all', new Date(p.ts).toISOString(), String(p.value)]));
    expect(rows.slice(1).map((r) => Number(r[5]))).toEqual(alert.samples.map((p) => p.value));
  });

  it('passes verify() and delivers the test mail', async () => {
    const mailer = createMailer(configFor(security), secretsFor(security));
    const verified = await mailer.verify();
    expect(verified).toMatchObject({ ok: true });
    const parsed = await sendAndReceive(security, composeTestMail(FROM, TO, NOW));
    mailer.close();
    expect(parsed.subject).toBe('metrix test mail (2026-11-22T04:00:00Z)');
    expect(parsed.text).toContain('test message from metrix');
  });
});

describe('sendRaw', () => {
  it('sends bytes built once, identically on every retry', async () => {
    const message = await composeAlertMail(notification({ to: TO }), { from: FROM, chart: renderChart });
    const built = await buildRawMessage(message);
    expect(built.envelope).toEqual({ from: FROM, to: TO });
    const before = server('starttls').received.length;
    const mailer = createMailer(configFor('starttls'), secretsFor('starttls'));
    expect(await mailer.sendRaw(built)).toMatchObject({ ok: true, messageId: '<n-20261122-0001@metrix>' });
    expect(await mailer.sendRaw(built)).toMatchObject({ ok: true });
    mailer.close();
    const received = server('starttls').received.slice(before);
    expect(received).toHaveLength(2);
    expect(received[0]?.raw.equals(built.raw)).toBe(true);
    expect(received[1]?.raw.equals(built.raw)).toBe(true);
  });
});

describe('hostile content over SMTP', () => {
  it('injects no header and no recipient', async () => {
    const message = await composeAlertMail(
      notification({ to: TO, alerts: [alertView({ host: HOSTILE.host, rule: HOSTILE.rule, labels: { mount: HOSTILE.label } })] }),
      { from: FROM, chart: renderChart },
    );
    const parsed = await sendAndReceive('none', message);
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.subject).not.toMatch(/[\r\n]/);
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.headers.has('x-injected')).toBe(false);
    expect(parsed.html).not.toMatch(/<script|<img src=x/i);
  });
});
