import { alertDetail } from '../checks/alert-detail.js';
import type { Config } from '../config/types.js';
import { groupByRecipients, type Notice } from '../alerts/plan.js';
import { planAlerting } from '../alerts/run-plan.js';
import type { Notification } from '../alerts/types.js';
import { canonicalLabels } from '../metrics/labels.js';
import type { PollRecord } from '../poll/records.js';
import type { Store } from '../store/store.js';
import { commitAlerting, type QueuedMessage } from './commit.js';
import { gatherAlerting } from './gather.js';
import { buildNotification, chartSpanMs, type ViewSources } from './views.js';

export type { QueuedMessage } from './commit.js';

export interface AlertingDeps {
  readonly config: Config;
  readonly store: Store;
  readonly now: number;
  /** This run's polls: only their hosts are evaluated, and their failures are "host down". */
  readonly polls: readonly PollRecord[];
  /** Renders a notification to the message as it will be sent (chart and all). */
  readonly compose: (notification: Notification) => Promise<QueuedMessage>;
}

/** What a notification shows beyond the plan: each alert's series for its chart, and why a host is down. */
function viewSources(store: Store, polls: readonly PollRecord[], now: number): ViewSources {
  const polled = new Map(polls.map((poll) => [poll.host, poll]));
  return {
    now,
    samples: (notice: Notice) => {
      const wanted = canonicalLabels(notice.alert.labels);
      return store
        .range({ host: notice.alert.host, metric: notice.rule.metric, since: now - chartSpanMs(notice.rule), until: now })
        .find((s) => canonicalLabels(s.labels) === wanted)?.points ?? [];
    },
    detail: (notice: Notice) => alertDetail(notice.rule.metric, notice.alert.host, notice.alert.labels, (host, kind, name) => store.watchTexts.latest(host, kind, name)),
    downReason: (host: string) => {
      const failure = polled.get(host)?.failure;
      return failure && `${failure.reason}: ${failure.message}`;
    },
    events: (host, since, until, limit) => store.events.list({ hosts: [host], since, until, limit }),
  };
}

/**
 * One run of alerting: gather what it decides on (reads), plan (pure), render the mail,
 * and commit states and messages in one transaction. Returns the notices.
 */
export async function runAlerting(deps: AlertingDeps): Promise<readonly Notice[]> {
  const { config, store, now } = deps;
  const plan = planAlerting(gatherAlerting(store, config, deps.polls, now));
  const sources = viewSources(store, deps.polls, now);
  const groups = groupByRecipients(plan.notices, config.mail.to);
  const messages = await Promise.all(groups.map((group) => deps.compose(buildNotification(group.to, group.notices, sources))));
  commitAlerting(store, plan, messages, now);
  return plan.notices;
}
