import { formatDuration } from '../config/duration.js';
import type { MailFailure, SendResult } from '../mail/failure.js';
import type { RawMessage } from '../mail/transport.js';
import type { OutboxMessage, OutboxStore } from '../store/outbox-store.js';
import { nextAttemptAt } from './backoff.js';

export interface RawSender {
  sendRaw(message: RawMessage): Promise<SendResult>;
}

export interface FlushResult {
  readonly sent: readonly OutboxMessage[];
  /** Failures worth another try: they stay in the outbox with backoff. */
  readonly failed: ReadonlyArray<{ readonly message: OutboxMessage; readonly failure: MailFailure }>;
  /** Permanent failures of the message itself (a 5xx rejection): given up at once, never retried. */
  readonly refused: ReadonlyArray<{ readonly message: OutboxMessage; readonly failure: MailFailure }>;
  /** Messages older than giveUpAfter: given up without another attempt. */
  readonly gaveUp: readonly OutboxMessage[];
  /** Messages left for a later run because the server itself was failing. */
  readonly deferred: number;
}

/** Failures of the server rather than of one message: trying the next message now would fail too. */
const SERVER_LEVEL = new Set(['dns', 'connection', 'tls', 'auth', 'config']);

/**
 * A failure that sending the same bytes again can never fix: the server refused this message
 * for good (5xx), or it cannot be sent at all. Server-level failures are not among them even
 * when not retryable (a wrong password): fixing the config makes the same message go out.
 */
const givesUpAtOnce = (failure: MailFailure): boolean => !failure.retryable && !SERVER_LEVEL.has(failure.kind);

/**
 * Sends what is due in the outbox. A message is marked sent as soon as the server takes it;
 * a temporary failure is retried on a later run with backoff, a permanent one is given up at
 * once; one older than `giveUpAfterMs` is given up with its last error kept. Stops at the
 * first server-level failure, and between messages once `stop` is aborted.
 */
export async function flushOutbox(outbox: OutboxStore, sender: RawSender, now: () => number, giveUpAfterMs: number, stop?: AbortSignal): Promise<FlushResult> {
  const sent: OutboxMessage[] = [];
  const failed: Array<{ message: OutboxMessage; failure: MailFailure }> = [];
  const refused: Array<{ message: OutboxMessage; failure: MailFailure }> = [];
  const gaveUp: OutboxMessage[] = [];
  const due = outbox.due(now());
  for (const [index, message] of due.entries()) {
    // Told to stop (metrix run's second signal): what is left waits in the outbox for the next run.
    if (stop?.aborted) return { sent, failed, refused, gaveUp, deferred: due.length - index };
    if (now() - message.createdAt > giveUpAfterMs) {
      outbox.giveUp(message.id, `not sent within ${formatDuration(giveUpAfterMs)} after ${message.attempts} attempts; last error: ${message.lastError ?? 'none'}`, now());
      gaveUp.push(message);
      continue;
    }
    const result = await sender.sendRaw({ raw: message.raw, envelope: { from: message.sender, to: message.recipients }, messageId: message.messageId, date: message.createdAt });
    if (result.ok) {
      outbox.markSent(message.id, now());
      sent.push(message);
      continue;
    }
    if (givesUpAtOnce(result)) {
      outbox.refuse(message.id, `${result.kind} (permanent): ${result.message}`, now());
      refused.push({ message, failure: result });
      continue;
    }
    outbox.markFailed(message.id, `${result.kind}: ${result.message}`, nextAttemptAt(now(), message.attempts + 1));
    failed.push({ message, failure: result });
    if (SERVER_LEVEL.has(result.kind)) return { sent, failed, refused, gaveUp, deferred: due.length - index - 1 };
  }
  return { sent, failed, refused, gaveUp, deferred: 0 };
}
