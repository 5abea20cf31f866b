import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendResult } from '../../src/mail/failure.js';
import { createMailer, type Mailer, type RawMessage } from '../../src/mail/transport.js';
import { flushOutbox } from '../../src/notify/flush.js';
import type { OutboxStore } from '../../src/store/outbox-store.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';
import { startSmtpServer, type TestSmtpServer } from '../mail/smtp-server.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/** A sender whose answers the test scripts, one per call; it records what it was given. */
function scriptedSender(answers: SendResult[]): { sendRaw: (m: RawMessage) => Promise<SendResult>; sent: RawMessage[] } {
  const sent: RawMessage[] = [];
  return { sent, sendRaw: async (message) => (sent.push(message), answers.shift() ?? { ok: true, messageId: message.messageId, detail: 'ok', rejected: [] }) };
}

const refused: SendResult = { ok: false, kind: 'connection', retryable: true, message: 'connection refused by 127.0.0.1:25' };
const rejected: SendResult = { ok: false, kind: 'rejected', retryable: false, message: '550 mailbox unavailable' };

function outbox(): OutboxStore {
  return Store.open(join(tempDir(), 'metrix.db')).outbox;
}

const queue = (box: OutboxStore, n: number, now: number): void => {
  for (let i = 0; i < n; i++) box.enqueue({ messageId: `<m${i}@metrix>`, sender: 'metrix@example.org', recipients: ['ops@example.org'], subject: `s${i}`, raw: Buffer.from(`raw ${i}`) }, now);
};

describe('flushOutbox', () => {
  it('sends what is due with its stored bytes and envelope, and marks it sent', async () => {
    const box = outbox();
    queue(box, 2, 0);
    const sender = scriptedSender([]);
    const result = await flushOutbox(box, sender, () => 1000, DAY);
    expect(result.sent.map((m) => m.messageId)).toEqual(['<m0@metrix>', '<m1@metrix>']);
    expect(sender.sent.map((m) => [m.raw.toString(), m.envelope, m.messageId])).toEqual([
      ['raw 0', { from: 'metrix@example.org', to: ['ops@example.org'] }, '<m0@metrix>'],
      ['raw 1', { from: 'metrix@example.org', to: ['ops@example.org'] }, '<m1@metrix>'],
    ]);
    expect(box.pending()).toEqual([]);
  });

  it('stops at a server-level failure, backs off, and retries only when due', async () => {
    const box = outbox();
    queue(box, 3, 0);
    const first = await flushOutbox(box, scriptedSender([refused]), () => 0, DAY);
    expect(first.failed).toHaveLength(1);
    expect(first.deferred).toBe(2);
    expect(box.pending().map((m) => [m.attempts, m.nextAttemptAt, m.lastError])).toEqual([
      [1, MIN, 'connection: connection refused by 127.0.0.1:25'],
      [0, 0, undefined],
      [0, 0, undefined],
    ]);
    const early = scriptedSender([]);
    await flushOutbox(box, early, () => MIN / 2, DAY);
    expect(early.sent.map((m) => m.messageId)).toEqual(['<m1@metrix>', '<m2@metrix>']);
    const later = scriptedSender([]);
    await flushOutbox(box, later, () => MIN, DAY);
    expect(later.sent.map((m) => m.messageId)).toEqual(['<m0@metrix>']);
  });

  it('goes on past a message the server rejects, giving it up at once', async () => {
    const box = outbox();
    queue(box, 2, 0);
    const result = await flushOutbox(box, scriptedSender([rejected]), () => 0, DAY);
    expect(result.refused.map((f) => [f.message.messageId, f.failure.kind])).toEqual([['<m0@metrix>', 'rejected']]);
    expect(result.failed).toEqual([]);
    expect(result.sent.map((m) => m.messageId)).toEqual(['<m1@metrix>']);
  });

  it('keeps retrying a failure that is not retryable but is the server\'s (wrong password): a config fix makes it go', async () => {
    const box = outbox();
    queue(box, 1, 0);
    const auth: SendResult = { ok: false, kind: 'auth', retryable: false, message: 'SMTP auth failed: 535' };
    const result = await flushOutbox(box, scriptedSender([auth]), () => 0, DAY);
    expect(result.refused).toEqual([]);
    expect(box.pending().map((m) => [m.attempts, m.lastError])).toEqual([[1, 'auth: SMTP auth failed: 535']]);
  });

  it('gives up a message older than giveUpAfter, keeping why', async () => {
    const box = outbox();
    queue(box, 1, 0);
    await flushOutbox(box, scriptedSender([refused]), () => 0, DAY);
    const sender = scriptedSender([]);
    const result = await flushOutbox(box, sender, () => DAY + MIN, DAY);
    expect(sender.sent).toEqual([]);
    expect(result.gaveUp.map((m) => m.messageId)).toEqual(['<m0@metrix>']);
    expect(box.pending()).toEqual([]);
  });

  it('never queues the same Message-ID twice', () => {
    const box = outbox();
    queue(box, 1, 0);
    queue(box, 1, 5);
    expect(box.pending()).toHaveLength(1);
  });
});

describe('flushOutbox through a real SMTP server', () => {
  let server: TestSmtpServer;
  beforeAll(async () => {
    server = await startSmtpServer({ security: 'none' });
  });
  afterAll(() => server.stop());

  const mailer = (): Mailer =>
    createMailer(
      { transport: 'smtp', host: server.host, port: server.port, security: 'none', user: undefined, passwordEnv: undefined, caFile: undefined, timeoutMs: 5_000, giveUpAfterMs: DAY, from: 'metrix@example.org', to: ['ops@example.org'] },
      { password: undefined },
    );

  it.each([
    ['reject', '550', 'given up at once', { attempts: 1, pending: 0, givenUp: 1 }],
    ['defer', '451', 'kept for a retry', { attempts: 1, pending: 1, givenUp: 0 }],
  ] as const)('mode %s (%s): %s', async (mode, code, _what, expected) => {
    const box = outbox();
    queue(box, 1, 0);
    server.mode = mode;
    try {
      const result = await flushOutbox(box, mailer(), () => MIN, DAY);
      const [message] = [...box.pending(), ...box.givenUp()];
      expect({ attempts: message?.attempts, pending: box.pending().length, givenUp: box.givenUp().length }).toEqual(expected);
      expect(message?.lastError).toContain(code);
      expect((mode === 'reject' ? result.refused : result.failed).map((f) => f.failure.kind)).toEqual(['rejected']);
      if (mode === 'reject') expect(message?.lastError).toMatch(/^rejected \(permanent\): .*550/);
      // A later run does not try a refused message again; a deferred one goes once due.
      server.mode = 'accept';
      const later = await flushOutbox(box, mailer(), () => DAY / 2, DAY);
      expect(later.sent.length).toBe(mode === 'reject' ? 0 : 1);
    } finally {
      server.mode = 'accept';
    }
  });
});
