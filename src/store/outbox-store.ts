import type { Db } from './database.js';

/** A rendered message waiting in, or gone from, the outbox. */
export interface OutboxMessage {
  readonly id: number;
  readonly messageId: string;
  /** SMTP envelope sender: a bare address. */
  readonly sender: string;
  readonly recipients: readonly string[];
  readonly subject: string;
  readonly raw: Buffer;
  readonly createdAt: number;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | undefined;
}

interface Row {
  id: number;
  message_id: string;
  sender: string;
  recipients: string;
  subject: string;
  raw: Buffer;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

const fromRow = (row: Row): OutboxMessage => ({
  id: row.id,
  messageId: row.message_id,
  sender: row.sender,
  recipients: JSON.parse(row.recipients) as string[],
  subject: row.subject,
  raw: row.raw,
  createdAt: row.created_at,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  lastError: row.last_error ?? undefined,
});

/** The outbox: every message is written here before any attempt to send it. */
export class OutboxStore {
  constructor(private readonly db: Db) {}

  /** Queues a message, due at once. A Message-ID already queued is kept as it is (false). */
  enqueue(message: { messageId: string; sender: string; recipients: readonly string[]; subject: string; raw: Buffer }, now: number): boolean {
    return (
      this.db
        .prepare(
          'INSERT INTO outbox (message_id, sender, recipients, subject, raw, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING',
        )
        .run(message.messageId, message.sender, JSON.stringify(message.recipients), message.subject, message.raw, now, now).changes === 1
    );
  }

  /** Unsent messages whose next attempt is due, oldest first. */
  due(now: number): OutboxMessage[] {
    return this.db
      .prepare<[number], Row>('SELECT * FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= ? ORDER BY created_at, id')
      .all(now)
      .map(fromRow);
  }

  /** Messages still waiting, due or not. */
  pending(): OutboxMessage[] {
    return this.db.prepare<[], Row>('SELECT * FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL ORDER BY created_at, id').all().map(fromRow);
  }

  markSent(id: number, now: number): void {
    this.db.prepare('UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?').run(now, id);
  }

  markFailed(id: number, error: string, nextAttemptAt: number): void {
    this.db.prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?').run(error, nextAttemptAt, id);
  }

  /** Counts the attempt that was refused for good, and gives the message up with why. */
  refuse(id: number, reason: string, now: number): void {
    this.db.prepare('UPDATE outbox SET attempts = attempts + 1, given_up_at = ?, last_error = ? WHERE id = ?').run(now, reason, id);
  }

  /** Messages given up (refused for good, or unsent too long), newest first. */
  givenUp(): OutboxMessage[] {
    return this.db.prepare<[], Row>('SELECT * FROM outbox WHERE given_up_at IS NOT NULL ORDER BY given_up_at DESC, id DESC').all().map(fromRow);
  }

  giveUp(id: number, reason: string, now: number): void {
    this.db.prepare('UPDATE outbox SET given_up_at = ?, last_error = ? WHERE id = ?').run(now, reason, id);
  }
}
