import type { Report } from '../../client-script/src/protocol.js';
import type { CounterSnapshot } from './derive.js';

/**
 * Where a report's counter readings sit on the poller's clock.
 *
 * The poller knows one time, `pollerTs`, when the output arrived; the host's clock is not
 * comparable to it (skew), but the host's own intervals are. So each reading is placed at
 * `pollerTs - (report.ts - readingTs)`: the host's elapsed time from that reading to the end
 * of the report, mapped back from when the report arrived. The warm-up baseline and the
 * counters (`countersAt`) are placed the same way, so their difference is exactly the host's
 * interval between the two readings, however long statfs or nvidia-smi took after them.
 * The trip back (SSH) is not measured and is counted as zero for both: it cancels between
 * successive polls as long as it stays alike, which the slow host-side steps did not.
 *
 * A collector older than `countersAt` set `ts` when it read the counters: the counters then
 * sit at `pollerTs`, as before, and its baseline before them by the host's interval.
 */
export interface PlacedCounters {
  readonly counters: CounterSnapshot;
  /** The warm-up reading, when the report has one. */
  readonly baseline: CounterSnapshot | undefined;
}

type Timed = Pick<Report, 'ts' | 'countersAt' | 'counters' | 'baseline'>;

/**
 * `durationMs` is how long the poll took on the poller: no reading can be older than that,
 * so a host whose clock stepped (or that lies) cannot place its counters outside the poll.
 */
export function placeCounters(report: Timed, pollerTs: number, durationMs: number): PlacedCounters {
  const before = (hostTs: number): number => pollerTs - Math.min(Math.max(report.ts - hostTs, 0), Math.max(durationMs, 0));
  const counters = { ts: report.countersAt === undefined ? pollerTs : before(report.countersAt), counters: report.counters };
  const baseline = report.baseline ? { ts: before(report.baseline.ts), counters: report.baseline.counters } : undefined;
  return { counters, baseline };
}
