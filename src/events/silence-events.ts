import { silenceTime, type Silence } from '../alerts/silences.js';
import { formatLabels } from '../metrics/labels.js';
import type { NewEvent } from '../store/event-store.js';

/** "host f4, rule cpu_high, labels mount=/": what a silence covers, as `metrix silence` says it. */
export function silenceScope(silence: Pick<Silence, 'host' | 'rule' | 'labels'>): string {
  const labels = formatLabels(silence.labels);
  return [silence.host && `host ${silence.host}`, silence.rule && `rule ${silence.rule}`, labels && `labels ${labels}`].filter(Boolean).join(', ') || 'everything';
}

const detailsOf = (silence: Silence) => ({
  silence: silence.id,
  rule: silence.rule ?? null,
  labels: formatLabels(silence.labels),
  by: silence.createdBy,
  ends: silenceTime(silence.endsAt),
});

/** A silence was added: on its host, or fleet-wide when it names none. */
export function silenceAddedEvent(silence: Silence, now: number): NewEvent {
  return {
    ts: now,
    host: silence.host,
    kind: 'silence_added',
    severity: 'info',
    text: `silence #${silence.id} by ${silence.createdBy} until ${silenceTime(silence.endsAt)}: ${silenceScope(silence)}: ${silence.comment}`,
    details: detailsOf(silence),
  };
}

/** A silence ended: removed by someone at `at`, or ran out (at its end time). */
export function silenceEndedEvent(silence: Silence, at: number, removed: boolean): NewEvent {
  return {
    ts: at,
    host: silence.host,
    kind: 'silence_ended',
    severity: 'info',
    text: `silence #${silence.id} ${removed ? 'removed' : 'ran out'}: ${silenceScope(silence)}: ${silence.comment}`,
    details: { ...detailsOf(silence), removed },
  };
}
