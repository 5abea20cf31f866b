import { noCounts, type PruneCounts, type RetentionStore } from '../store/retention-store.js';
import { maintenanceDue, type RetentionPolicy } from './policy.js';

/** The time of the last pass that ran to the end, in store_state. */
const DONE_AT = 'retention_done_at';

export interface PruneOptions {
  readonly now: number;
  readonly policy: RetentionPolicy;
  /** Measures the budget; steps stop once it is spent (the next pass carries on). */
  readonly clock: () => number;
  /** Stop after this long (ms) at the end of a step; no limit when undefined. */
  readonly budgetMs?: number;
}

export interface PruneResult {
  readonly counts: PruneCounts;
  /** False when the budget ran out first: the rest waits for the next pass. */
  readonly complete: boolean;
}

/**
 * Applies retention: per host, roll-ups built and each tier's old rows removed, then old
 * polls, runs, delivered mail, resolved alerts and events. Every step is its own short transaction,
 * so a poll waiting to write waits for one step, a killed pass leaves only whole steps
 * done, and the next pass carries on where it stopped.
 */
export function prune(store: RetentionStore, options: PruneOptions): PruneResult {
  const { now, policy } = options;
  const started = options.clock();
  const spent = (): boolean => options.budgetMs !== undefined && options.clock() - started >= options.budgetMs;
  const counts = noCounts();
  // The budget is looked at after a step that did something: a pass with nothing left to do
  // always reaches its end, so a pass cut short is always followed by one that gets further.
  const repeat = (step: () => boolean): boolean => {
    while (step()) if (spent()) return false;
    return true;
  };
  const hosts = store.hosts();
  for (const host of hosts) {
    if (!repeat(() => store.transaction(() => store.hostStep(host.id, host.name, now, policy, counts)))) return { counts, complete: false };
  }
  const names = hosts.map((host) => host.name);
  for (const name of names) {
    if (!repeat(() => store.transaction(() => store.pollsStep(name, now - policy.pollsMs, counts)))) return { counts, complete: false };
  }
  const rest = [
    () => store.runsStep(names, now - policy.pollsMs, counts),
    () => store.transaction(() => store.outboxStep(now - policy.sentMailMs, counts)),
    () => store.transaction(() => store.alertsStep(now - policy.resolvedAlertsMs, counts)),
    () => store.transaction(() => store.eventsStep(now - policy.eventsMs, counts)),
  ];
  for (const step of rest) if (!repeat(step)) return { counts, complete: false };
  store.transaction(() => store.setState(DONE_AT, now));
  return { counts, complete: true };
}

/** Whether retention is due by itself at `now` (see MAINTENANCE_EVERY_MS). */
export function pruneDue(store: RetentionStore, now: number): boolean {
  return maintenanceDue(store.state(DONE_AT), now);
}
