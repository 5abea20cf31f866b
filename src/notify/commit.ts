import type { AlertStore } from '../store/alert-store.js';
import type { Db } from '../store/database.js';
import type { OutboxStore } from '../store/outbox-store.js';
import type { Commit } from './alerting.js';

/**
 * Stores one run's alerting at once: the messages go into the outbox in the same
 * transaction as the states that caused them, so a crash loses neither nor splits them.
 */
export function commitAlerting(db: Db, alerts: AlertStore, outbox: OutboxStore, now: number): (work: Commit) => void {
  return (work) =>
    db.transaction(() => {
      for (const { rule, active, transitions, dropped } of work.results) alerts.save(rule, active, transitions, dropped);
      for (const { code, reason } of work.mutes) alerts.setMuted(code, reason);
      for (const message of work.messages) outbox.enqueue(message, now);
      alerts.markNotified(work.notified, now);
    }).immediate();
}
