import { describe, expect, it } from 'vitest';
import type { Report } from '../../client-script/src/protocol.js';
import { placeCounters } from '../../src/metrics/counter-time.js';
import { deriveRates } from '../../src/metrics/derive.js';

const C = [{ m: 'net_rx_bytes_total', v: 0 }];
const B = [{ m: 'net_rx_bytes_total', v: 0 }];
type Timing = Pick<Report, 'ts' | 'countersAt'> & { baselineTs?: number };
const report = ({ baselineTs, ...times }: Timing) => ({ ...times, counters: C, ...(baselineTs === undefined ? {} : { baseline: { ts: baselineTs, counters: B } }) });

// Host clocks are deliberately far from the poller's (1_000_000): only the host's intervals count.
describe('placeCounters', () => {
  it.each<[string, Timing, number, number, number | undefined]>([
    // case, host times, poll duration, counters at, baseline at
    ['counters read 3 s before a slow nvidia-smi ended the report', { ts: 50_003_000, countersAt: 50_000_000 }, 3500, 997_000, undefined],
    ['no slow step: counters and report end together', { ts: 50_000_000, countersAt: 50_000_000 }, 400, 1_000_000, undefined],
    ['warm-up: baseline 300 ms before the counters, then a 2 s statfs', { ts: 50_002_300, countersAt: 50_000_300, baselineTs: 50_000_000 }, 2600, 998_000, 997_700],
    ['old collector (no countersAt): counters at the poll end, as before', { ts: 50_000_000 }, 3500, 1_000_000, undefined],
    ['old collector with a warm-up: baseline before the poll end by its interval', { ts: 50_000_300, baselineTs: 50_000_000 }, 800, 1_000_000, 999_700],
    ['host clock stepped back: counters after the report end stay at the poll end', { ts: 50_000_000, countersAt: 50_009_000 }, 500, 1_000_000, undefined],
    ['host claims a reading older than the poll: held to the poll start', { ts: 50_000_000, countersAt: 10_000 }, 500, 999_500, undefined],
    ['a negative poll duration (poller clock stepped) never moves a reading after the poll end', { ts: 50_003_000, countersAt: 50_000_000 }, -20, 1_000_000, undefined],
  ])('%s', (_case, times, durationMs, countersTs, baselineTs) => {
    const placed = placeCounters(report(times), 1_000_000, durationMs);
    expect(placed.counters).toEqual({ ts: countersTs, counters: C });
    expect(placed.baseline).toEqual(baselineTs === undefined ? undefined : { ts: baselineTs, counters: B });
  });

  it('gives a rate over the interval between counter readings, whatever the slow steps after them took', () => {
    // 1000 bytes/s on the host. Poll 1: the counters are read, then nvidia-smi takes 3 s.
    // Poll 2, 60 s later by the host's clock: no slow step. The reports arrive 57 s apart, so
    // counters placed at arrival (the old way) would give 60000/57 = 1052.6 bytes/s.
    const poll1 = { ts: 7_003_000, countersAt: 7_000_000, counters: [{ m: 'net_rx_bytes_total', v: 7_000_000 }] };
    const poll2 = { ts: 7_060_000, countersAt: 7_060_000, counters: [{ m: 'net_rx_bytes_total', v: 7_060_000 }] };
    const first = placeCounters(poll1, 2_000_000, 3_200).counters;
    const second = placeCounters(poll2, 2_000_000 + 57_000, 200).counters;
    expect(second.ts - first.ts).toBe(60_000);
    expect(deriveRates(first, second)).toEqual([{ m: 'net_rx_bytes_per_sec', v: 1000 }]);
  });
});
