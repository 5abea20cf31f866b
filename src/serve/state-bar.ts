import type { PollMark } from '../store/web-reads.js';
import type { BarState, StateBar, StateSegment } from './api-types.js';

/** An alert's firing time: from when it fired until it resolved (open: still firing). */
export interface FiringSpan {
  readonly from: number;
  readonly to: number | undefined;
}

export interface StateBarInput {
  readonly since: number;
  readonly until: number;
  /** The last poll before `since`, if any: the state the bar starts in. */
  readonly before: PollMark | undefined;
  /** Polls in [since, until], oldest first. */
  readonly polls: readonly PollMark[];
  readonly firing: readonly FiringSpan[];
  /** A poll's outcome holds this long at most; past it, with no newer poll, the state is unknown (the poller stopped). */
  readonly staleAfterMs: number;
}

/**
 * The host's last hours as one bar, as RASSMon draws it: each poll's outcome holds until the
 * next poll (or until it goes stale); a host up while an alert of it fires is `alerting`;
 * down wins over alerting. Contiguous segments from `since` to `until`, equal neighbours merged.
 * Pure: data in, data out.
 */
export function stateBar(input: StateBarInput): StateBar {
  const { since, until, staleAfterMs } = input;
  const marks = input.before ? [input.before, ...input.polls] : [...input.polls];
  const raw: StateSegment[] = [];
  let cursor = since;
  const push = (to: number, state: BarState): void => {
    const end = Math.min(to, until);
    if (end > cursor) raw.push({ from: cursor, to: end, state });
    cursor = Math.max(cursor, end);
  };
  for (let i = 0; i < marks.length && cursor < until; i++) {
    const mark = marks[i]!;
    if (mark.ts > cursor) push(mark.ts, 'unknown');
    const next = marks[i + 1]?.ts ?? Infinity;
    const stale = mark.ts + staleAfterMs;
    push(Math.min(next, stale), mark.ok ? 'up' : 'down');
    if (stale < next) push(next, 'unknown');
  }
  push(until, 'unknown');
  return { since, until, segments: merge(raw.flatMap((segment) => (segment.state === 'up' ? splitAlerting(segment, input.firing) : [segment]))) };
}

/** Cuts an `up` segment where alerts fire. */
function splitAlerting(segment: StateSegment, firing: readonly FiringSpan[]): StateSegment[] {
  const spans = firing
    .map((span) => ({ from: Math.max(span.from, segment.from), to: Math.min(span.to ?? Infinity, segment.to) }))
    .filter((span) => span.to > span.from)
    .sort((a, b) => a.from - b.from);
  const out: StateSegment[] = [];
  let cursor = segment.from;
  for (const span of spans) {
    if (span.from > cursor) out.push({ from: cursor, to: span.from, state: 'up' });
    if (span.to > cursor) out.push({ from: Math.max(cursor, span.from), to: span.to, state: 'alerting' });
    cursor = Math.max(cursor, span.to);
  }
  if (cursor < segment.to) out.push({ from: cursor, to: segment.to, state: 'up' });
  return out;
}

function merge(segments: readonly StateSegment[]): StateSegment[] {
  const out: StateSegment[] = [];
  for (const segment of segments) {
    const last = out[out.length - 1];
    if (last && last.state === segment.state && last.to === segment.from) out[out.length - 1] = { ...last, to: segment.to };
    else out.push(segment);
  }
  return out;
}

/**
 * How long a poll's outcome holds: three times the usual gap between the host's polls (a
 * missed poll or two is not "unknown"), at least two minutes; ten minutes with too few polls to tell.
 */
export function staleAfter(polls: readonly PollMark[]): number {
  const gaps = polls.slice(1).map((poll, i) => poll.ts - polls[i]!.ts).filter((gap) => gap > 0).sort((a, b) => a - b);
  if (gaps.length === 0) return 10 * 60_000;
  return Math.max(2 * 60_000, 3 * gaps[Math.floor(gaps.length / 2)]!);
}
