import { logLine, type Io } from '../cli/io.js';
import type { Config } from '../config/types.js';
import { errorMessage } from '../errors.js';
import type { Store } from '../store/store.js';
import { policyOf } from './policy.js';
import { prune, pruneDue } from './prune.js';
import { describeCounts } from './report.js';

/** The most the automatic pass adds to a run; what is left waits for the next run. */
export const AUTO_PRUNE_BUDGET_MS = 5_000;

/**
 * Retention by itself, after a run's polls are stored and alerted on: at most once an hour
 * (the last complete pass is kept in the database), within `budgetMs`. Never throws: a
 * failure is logged and the next run tries again.
 */
export function pruneAfterRun(config: Config, store: Store, io: Io, budgetMs: number = AUTO_PRUNE_BUDGET_MS): void {
  try {
    const now = io.clock();
    if (!pruneDue(store.retention, now)) return;
    const result = prune(store.retention, { now, policy: policyOf(config.settings), clock: io.clock, budgetMs });
    const done = describeCounts(result.counts);
    if (done !== '' || !result.complete) logLine(io, 'INFO', `retention: ${done || 'nothing removed yet'}${result.complete ? '' : '; the rest after the next run'}`);
  } catch (err) {
    logLine(io, 'ERROR', `retention not applied: ${errorMessage(err)}; the next run tries again`);
  }
}
