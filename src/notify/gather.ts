import type { Config } from '../config/types.js';
import { codePrefix } from '../alerts/codes.js';
import { lookbackMs } from '../alerts/condition.js';
import { inScope } from '../alerts/scope.js';
import { pollerHost, SELF_RULES } from '../alerts/self-monitoring.js';
import type { AlertingInput, PolledHost } from '../alerts/run-plan.js';
import { matchesLabels } from '../metrics/labels.js';
import type { Store } from '../store/store.js';

/**
 * Reads what one run of alerting decides on: every rule's stored alerts and its series on
 * the hosts polled this run (and metrix's own), the silences in force, and the codes a new
 * alert's code could collide with. All the reading happens here, before planning.
 */
export function gatherAlerting(store: Store, config: Config, polls: readonly PolledHost[], now: number): AlertingInput {
  const rules = [...config.alerts, ...SELF_RULES];
  const polled = new Set(polls.map((poll) => poll.host));
  const hosts = [...config.hosts.filter((host) => polled.has(host.name)), pollerHost];
  const series = new Map(
    rules.map((rule) => [
      rule.name,
      hosts
        .filter((host) => inScope(rule, host))
        .flatMap((host) =>
          store
            .range({ host: host.name, metric: rule.metric, since: now - lookbackMs(rule.windowMs), until: now })
            .filter((s) => matchesLabels(s.labels, rule.labels))
            .map((s) => ({ host: host.name, labels: s.labels, points: s.points })),
        ),
    ]),
  );
  return {
    now,
    rules,
    polls,
    open: new Map(rules.map((rule) => [rule.name, store.alerts.open(rule.name)])),
    series,
    silences: store.silences.current(now),
    takenCodes: store.alerts.codesStartingWith(codePrefix(now)),
  };
}
