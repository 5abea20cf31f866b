import type { AlertRule } from '../config/types.js';
import type { AlertRecord } from '../store/alert-store.js';
import { findSilence, silenceTime, type Silence } from './silences.js';

export type NoticeKind = 'firing' | 'reminder' | 'resolved';

export interface Notice {
  readonly kind: NoticeKind;
  readonly alert: AlertRecord;
  readonly rule: AlertRule;
}

export interface NoticePlan {
  readonly notices: Notice[];
  /** Alerts whose mute reason changes: set (silenced, held back) or cleared (undefined). */
  readonly mutes: Array<{ readonly code: string; readonly reason: string | undefined }>;
}

export interface PlanInput {
  readonly now: number;
  readonly rules: ReadonlyMap<string, AlertRule>;
  /** Every alert firing after this run's evaluation. */
  readonly firing: readonly AlertRecord[];
  /** Alerts that resolved in this run. */
  readonly resolved: readonly AlertRecord[];
  readonly silences: readonly Silence[];
  /** Hosts whose poll failed this run. */
  readonly hostsDown: ReadonlySet<string>;
  /** Of those, the ones that failed for a reason on metrix's side (keys, output it cannot open): not "down". */
  readonly pollerSide?: ReadonlySet<string>;
}

function muteReason(alert: AlertRecord, input: PlanInput): string | undefined {
  const silence = findSilence(input.silences, alert, input.now);
  if (silence) return `silenced by #${silence.id} until ${silenceTime(silence.endsAt)} (${silence.comment})`;
  if (alert.metric === 'host_up' && input.pollerSide?.has(alert.host)) return "held back: metrix's own problem, not the host's (see the metrix-poller alert)";
  if (alert.metric !== 'host_up' && input.hostsDown.has(alert.host)) return `held back: host ${alert.host} is down`;
  return undefined;
}

/**
 * Decides what to tell people this run, as alertmanager's dedup stage does: a firing
 * alert is mailed once, then reminded every `repeat`; a resolved one is mailed only if its
 * firing was; muted alerts (silenced, or their host down) are recorded, not mailed. Pure.
 */
export function planNotices(input: PlanInput): NoticePlan {
  const notices: Notice[] = [];
  const mutes: NoticePlan['mutes'] = [];
  for (const alert of input.firing) {
    const rule = input.rules.get(alert.rule);
    if (!rule) continue;
    const reason = muteReason(alert, input);
    if (reason !== alert.muted) mutes.push({ code: alert.code, reason });
    if (reason) continue;
    if (alert.notifiedAt === undefined) notices.push({ kind: 'firing', alert, rule });
    else if (input.now - alert.notifiedAt >= rule.repeatMs) notices.push({ kind: 'reminder', alert, rule });
  }
  for (const alert of input.resolved) {
    const rule = input.rules.get(alert.rule);
    if (!rule || !rule.sendResolved || alert.notifiedAt === undefined) continue;
    if (findSilence(input.silences, alert, input.now)) continue;
    notices.push({ kind: 'resolved', alert, rule });
  }
  return { notices, mutes };
}

/** One group per recipient list: everything a run has to say to the same people goes in one mail. */
export function groupByRecipients(notices: readonly Notice[], defaultTo: readonly string[]): Array<{ to: string[]; notices: Notice[] }> {
  const groups = new Map<string, { to: string[]; notices: Notice[] }>();
  for (const notice of notices) {
    const to = [...new Set(notice.rule.to ?? defaultTo)].sort();
    const key = to.join(',');
    const group = groups.get(key) ?? { to, notices: [] };
    group.notices.push(notice);
    groups.set(key, group);
  }
  return [...groups.values()];
}
