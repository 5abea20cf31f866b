import type { AlertingPlan } from '../alerts/run-plan.js';
import type { Store } from '../store/store.js';

/** A rendered message ready for the outbox. */
export interface QueuedMessage {
  readonly messageId: string;
  /** Envelope sender, a bare address. */
  readonly sender: string;
  readonly recipients: readonly string[];
  readonly subject: string;
  readonly raw: Buffer;
}

/**
 * Stores one run's alerting at once: the messages go into the outbox in the same
 * transaction as the states that caused them, so a crash loses neither nor splits them.
 * The events of alerts and of silences that ran out go in the same transaction.
 */
export function commitAlerting(store: Store, plan: AlertingPlan, messages: readonly QueuedMessage[], now: number): void {
  store.transaction(() => {
    for (const { rule, active, transitions, dropped } of plan.results) store.alerts.save(rule, active, transitions, dropped);
    for (const { code, reason } of plan.mutes) store.alerts.setMuted(code, reason);
    for (const message of messages) store.outbox.enqueue(message, now);
    store.alerts.markNotified(plan.notified, now);
    store.silences.recordRunOut(now);
  });
}
