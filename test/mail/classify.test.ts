import { describe, expect, it } from 'vitest';
import { classifySmtpError, type SmtpTarget } from '../../src/mail/failure.js';

const target: SmtpTarget = { host: 'smtp.example.org', port: 587, security: 'starttls', user: 'metrix', caFile: undefined };
const err = (message: string, fields: Record<string, unknown> = {}): Error => Object.assign(new Error(message), fields);

// Error shapes as nodemailer produces them; the real-server tests cover the common ones end to end.
describe('classifySmtpError', () => {
  it.each([
    ['dns', err('queryA ENOTFOUND smtp.example.org', { code: 'EDNS' }), 'dns', true, 'cannot resolve smtp.example.org'],
    ['dns via lookup', err('getaddrinfo EAI_AGAIN smtp.example.org', { code: 'ESOCKET' }), 'dns', true, 'cannot resolve'],
    ['auth 535', err('Invalid login: 535 5.7.8 bad', { code: 'EAUTH', response: '535 5.7.8 bad', responseCode: 535 }), 'auth', false, 'SMTP auth failed for user metrix at smtp.example.org:587: 535 5.7.8 bad'],
    ['auth 454 temporary', err('Invalid login: 454 4.7.0 try later', { code: 'EAUTH', response: '454 4.7.0 try later', responseCode: 454 }), 'auth', true, '454'],
    ['missing credentials', err('Missing credentials for "PLAIN"', { code: 'EAUTH' }), 'config', false, 'set user= and passwordEnv='],
    ['hostname mismatch', err("Error initiating TLS - Hostname/IP does not match certificate's altnames: Host: smtp.example.org. is not in the cert's altnames", { code: 'ETLS' }), 'tls', false, 'is not for "smtp.example.org"'],
    ['expired', err('Error initiating TLS - certificate has expired', { code: 'ETLS' }), 'tls', false, 'out of date'],
    ['unknown issuer', err('unable to get local issuer certificate', { code: 'ESOCKET' }), 'tls', false, 'set caFile='],
    ['plain port spoken TLS to', err('write EPROTO ...:wrong version number', { code: 'ESOCKET' }), 'tls', false, 'check security='],
    ['421 at greeting', err('Invalid greeting. response=421 busy', { code: 'EPROTOCOL', response: '421 busy', responseCode: 421 }), 'connection', true, 'not taking mail right now'],
    ['refused', err('connect ECONNREFUSED 10.0.0.1:587', { code: 'ESOCKET' }), 'connection', true, 'connection refused by smtp.example.org:587'],
    ['connect timeout', err('Connection timeout', { code: 'ETIMEDOUT' }), 'connection', true, 'no answer from smtp.example.org:587;'],
    ['socket timeout', err('Timeout', { code: 'ETIMEDOUT' }), 'connection', true, 'went silent for too long'],
    ['reset', err('read ECONNRESET', { code: 'ESOCKET' }), 'connection', true, 'connection to smtp.example.org:587 failed'],
    ['550 at RCPT', err("Can't send mail - all recipients were rejected: 550 no such user", { code: 'EENVELOPE', response: '550 no such user', responseCode: 550, command: 'RCPT TO' }), 'rejected', false, 'rejected the message at RCPT TO: 550 no such user'],
    ['452 at DATA', err('Message failed: 452 mailbox full', { code: 'EMESSAGE', response: '452 mailbox full', responseCode: 452, command: 'DATA' }), 'rejected', true, '452'],
    ['no recipients', err('No recipients defined', { code: 'EENVELOPE' }), 'config', false, 'check from= and to='],
    ['something else', 'a string was thrown', 'other', true, 'a string was thrown'],
  ])('%s', (_name, error, kind, retryable, text) => {
    const failure = classifySmtpError(error, target);
    expect(failure).toMatchObject({ ok: false, kind, retryable });
    expect(failure.message).toContain(text);
  });

  it('names the caFile when the certificate is not signed by it', () => {
    const failure = classifySmtpError(err('self-signed certificate', { code: 'ESOCKET' }), { ...target, caFile: '/etc/metrix/ca.pem' });
    expect(failure.message).toContain('not signed by the CA in caFile="/etc/metrix/ca.pem"');
  });

  it('says how long it waited when the timeouts are known', () => {
    const timeouts = { connectionMs: 10_000, greetingMs: 5_000, socketMs: 30_000 };
    expect(classifySmtpError(err('Connection timeout', { code: 'ETIMEDOUT' }), { ...target, timeouts }).message).toContain('no answer from smtp.example.org:587 within 10s');
    expect(classifySmtpError(err('Timeout', { code: 'ETIMEDOUT' }), { ...target, timeouts }).message).toContain('went silent for 30s');
  });

  it('keeps only the first line of a multi-line server reply', () => {
    const failure = classifySmtpError(err('x', { code: 'EAUTH', response: '535 first\r\n535 second', responseCode: 535 }), target);
    expect(failure.message).not.toMatch(/[\r\n]/);
    expect(failure.message).toContain('535 first');
  });
});
