import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailConfig } from '../../src/config/types.js';
import { composeTestMail } from '../../src/mail/test-message.js';
import { createMailer, type MailerTimeouts } from '../../src/mail/transport.js';
import { NOW } from './helpers.js';
import { closedPort, makeCertificate, startSilentServer, startSmtpServer, type TestCertificate, type TestSmtpServer } from './smtp-server.js';

const LOGIN = { user: 'metrix', password: 'right' };
const SHORT: Partial<MailerTimeouts> = { connectionMs: 2_000, greetingMs: 300, socketMs: 2_000, sessionMs: 8_000 };
const message = composeTestMail('metrix@example.org', ['ops@example.org'], NOW);
let dir: string;
let cert: TestCertificate;
let otherCa: TestCertificate;
let starttls: TestSmtpServer;
let tls: TestSmtpServer;
let plain: TestSmtpServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'metrix-mail-'));
  cert = makeCertificate(dir);
  otherCa = makeCertificate(dir, 'other');
  starttls = await startSmtpServer({ security: 'starttls', certificate: cert, auth: LOGIN });
  tls = await startSmtpServer({ security: 'tls', certificate: cert, auth: LOGIN });
  plain = await startSmtpServer({ security: 'none' });
});

afterAll(async () => {
  await Promise.all([starttls.stop(), tls.stop(), plain.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const smtp = (overrides: Partial<Extract<MailConfig, { transport: 'smtp' }>>): MailConfig => ({
  transport: 'smtp',
  giveUpAfterMs: 86_400_000,
  timeoutMs: 2_000,
  from: 'metrix@example.org',
  to: ['ops@example.org'],
  host: '127.0.0.1',
  port: starttls.port,
  security: 'starttls',
  user: LOGIN.user,
  passwordEnv: 'METRIX_SMTP_PASSWORD',
  caFile: cert.certPath,
  ...overrides,
});

async function sendWith(config: MailConfig, secrets: { password: string | undefined } = { password: LOGIN.password }) {
  const mailer = createMailer(config, secrets, { timeouts: SHORT });
  try {
    return await mailer.send(message);
  } finally {
    mailer.close();
  }
}

describe('SMTP failures as values', () => {
  it('wrong password: auth, not retryable, naming user and server', async () => {
    const result = await sendWith(smtp({}), { password: 'wrong' });
    expect(result).toMatchObject({ ok: false, kind: 'auth', retryable: false });
    expect(result.ok ? '' : result.message).toMatch(new RegExp(`^SMTP auth failed for user metrix at 127\\.0\\.0\\.1:${starttls.port}: 535`));
  });

  it('password variable unset: config, naming the variable, before any connection', async () => {
    const before = starttls.connections();
    const result = await sendWith(smtp({}), { password: undefined });
    expect(result).toMatchObject({ ok: false, kind: 'config', retryable: false });
    expect(result.ok ? '' : result.message).toContain('METRIX_SMTP_PASSWORD is not set');
    expect(starttls.connections()).toBe(before);
  });

  it.each(['starttls', 'tls'] as const)('%s with a self-signed certificate and no caFile: tls, with a caFile hint', async (security) => {
    const result = await sendWith(smtp({ security, port: security === 'tls' ? tls.port : starttls.port, caFile: undefined }));
    expect(result).toMatchObject({ ok: false, kind: 'tls', retryable: false });
    expect(result.ok ? '' : result.message).toMatch(/not trusted \(self-signed certificate\); set caFile=/);
  });

  it('caFile holding another CA: tls, naming the caFile', async () => {
    const result = await sendWith(smtp({ caFile: otherCa.certPath }));
    expect(result).toMatchObject({ ok: false, kind: 'tls' });
    expect(result.ok ? '' : result.message).toContain(`caFile="${otherCa.certPath}"`);
  });

  it('with the right caFile the same server accepts the message', async () => {
    const before = starttls.received.length;
    expect(await sendWith(smtp({}))).toMatchObject({ ok: true });
    expect(starttls.received.length).toBe(before + 1);
  });

  it('caFile that cannot be read: config', async () => {
    const result = await sendWith(smtp({ caFile: join(dir, 'missing.pem') }));
    expect(result).toMatchObject({ ok: false, kind: 'config', retryable: false });
    expect(result.ok ? '' : result.message).toContain('cannot read caFile=');
  });

  it('starttls against a server without STARTTLS: tls, not a silent plain send', async () => {
    const before = plain.received.length;
    const result = await sendWith(smtp({ port: plain.port, user: undefined, caFile: undefined }));
    expect(result).toMatchObject({ ok: false, kind: 'tls', retryable: false });
    expect(result.ok ? '' : result.message).toContain('does not offer STARTTLS');
    expect(plain.received.length).toBe(before);
  });

  it('closed port: connection, retryable', async () => {
    const port = await closedPort();
    const result = await sendWith(smtp({ port }));
    expect(result).toMatchObject({ ok: false, kind: 'connection', retryable: true });
    expect(result.ok ? '' : result.message).toContain(`connection refused by 127.0.0.1:${port}`);
  });

  it('unresolvable host: dns', async () => {
    const result = await sendWith(smtp({ host: 'smtp.metrix-test.invalid' }));
    expect(result).toMatchObject({ ok: false, kind: 'dns', retryable: true });
    expect(result.ok ? '' : result.message).toMatch(/^cannot resolve smtp\.metrix-test\.invalid/);
  });

  it('a server that accepts and never greets: connection, ended by the greeting timeout', async () => {
    const silent = await startSilentServer();
    try {
      const result = await sendWith(smtp({ port: silent.port }));
      expect(result).toMatchObject({ ok: false, kind: 'connection', retryable: true });
      expect(result.ok ? '' : result.message).toContain(`127.0.0.1:${silent.port} accepted the connection but sent no SMTP greeting within 0.3s`);
    } finally {
      await silent.stop();
    }
  });

  it.each([
    ['defer', 'rejected', true, '451'],
    ['reject', 'rejected', false, '550'],
    ['refuse', 'connection', true, '421'],
  ] as const)('server in mode %s: %s, retryable=%s', async (mode, kind, retryable, code) => {
    plain.mode = mode;
    try {
      const result = await sendWith(smtp({ port: plain.port, security: 'none', user: undefined, caFile: undefined }));
      expect(result).toMatchObject({ ok: false, kind, retryable });
      expect(result.ok ? '' : result.message).toContain(code);
    } finally {
      plain.mode = 'accept';
    }
  });

  it('a refused recipient among accepted ones: ok, naming it; all refused: rejected', async () => {
    const config = smtp({ port: plain.port, security: 'none', user: undefined, caFile: undefined });
    const mailer = createMailer(config, { password: undefined }, { timeouts: SHORT });
    plain.refusedRecipients.add('gone@example.org');
    try {
      const some = await mailer.send({ ...message, to: ['ops@example.org', 'gone@example.org'] });
      expect(some).toMatchObject({ ok: true, rejected: ['gone@example.org'] });
      expect(plain.received.at(-1)?.to).toEqual(['ops@example.org']);
      const all = await mailer.send({ ...message, to: ['gone@example.org'] });
      expect(all).toMatchObject({ ok: false, kind: 'rejected', retryable: false });
      expect(all.ok ? '' : all.message).toContain('550');
    } finally {
      plain.refusedRecipients.clear();
      mailer.close();
    }
  });

  it('user set but the server offers no AUTH: auth failure, nothing sent unauthenticated (send and verify)', async () => {
    const config = smtp({ port: plain.port, security: 'none', caFile: undefined });
    const before = plain.received.length;
    const mailer = createMailer(config, { password: 'anything' }, { timeouts: SHORT });
    for (const result of [await mailer.send(message), await mailer.verify()]) {
      expect(result).toMatchObject({ ok: false, kind: 'auth', retryable: false });
      expect(result.ok ? '' : result.message).toContain(
        `SMTP 127.0.0.1:${plain.port}: server did not offer AUTH on this port; refusing to send unauthenticated while user is set (user="metrix"`,
      );
    }
    expect(plain.received.length).toBe(before);
  });

  it('verify() reports the same classification', async () => {
    const mailer = createMailer(smtp({}), { password: 'wrong' }, { timeouts: SHORT });
    expect(await mailer.verify()).toMatchObject({ ok: false, kind: 'auth' });
    const good = createMailer(smtp({}), { password: LOGIN.password }, { timeouts: SHORT });
    expect(await good.verify()).toMatchObject({ ok: true, detail: expect.stringContaining('logged in as metrix') });
  });
});
