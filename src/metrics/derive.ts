import type { Sample } from '../../client-script/src/protocol.js';
import { canonicalLabels } from './labels.js';

/**
 * A set of counter readings taken at one moment (poller clock, ms): when the host read them,
 * not when its report arrived. A warm-up baseline and the counters of the same report are
 * both placed by counter-time.ts, so a rate between them, or between the stored counters of
 * two polls, spans the host's interval between counter readings.
 */
export interface CounterSnapshot {
  readonly ts: number;
  readonly counters: readonly Sample[];
}

type Deltas = (metric: string, labels?: Readonly<Record<string, string>>) => number | undefined;

interface RatioRule {
  readonly metric: string;
  /** Percent of the CPU-time delta, or undefined when it cannot be told. */
  readonly compute: (delta: Deltas) => number | undefined;
}

const percentOfTotal = (part: number | undefined, total: number | undefined): number | undefined =>
  part === undefined || total === undefined || total <= 0 ? undefined : Math.min(100, Math.max(0, (100 * part) / total));

/** Percentages of CPU time: deltas of jiffy counters over deltas of all CPU time. */
const CPU_RULES: readonly RatioRule[] = [
  {
    metric: 'cpu_percent',
    compute: (d) => {
      const [total, idle, iowait] = [d('cpu_total_jiffies'), d('cpu_idle_jiffies'), d('cpu_iowait_jiffies')];
      return idle === undefined || iowait === undefined || total === undefined ? undefined : percentOfTotal(total - idle - iowait, total);
    },
  },
  { metric: 'cpu_iowait_percent', compute: (d) => percentOfTotal(d('cpu_iowait_jiffies'), d('cpu_total_jiffies')) },
  { metric: 'cpu_steal_percent', compute: (d) => percentOfTotal(d('cpu_steal_jiffies'), d('cpu_total_jiffies')) },
];

/** What one counter's delta over `seconds` becomes. */
type Per = (delta: number, seconds: number) => number;

const perSecond: Per = (d, seconds) => d / seconds;
/** The share of the interval a time counter counted, for counters in `unitsPerSecond` (ms: 1000, µs: 1e6). */
const shareOfInterval = (unitsPerSecond: number): Per => (d, seconds) => Math.min(100, (100 * d) / (seconds * unitsPerSecond));
/** How many happened in the interval: the delta itself. */
const countInInterval: Per = (d) => d;

/** Values made from one counter, one per label set the counter has. */
const PER_LABEL_RULES: ReadonlyArray<{ readonly metric: string; readonly counter: string; readonly per: Per }> = [
  { metric: 'net_rx_bytes_per_sec', counter: 'net_rx_bytes_total', per: perSecond },
  { metric: 'net_tx_bytes_per_sec', counter: 'net_tx_bytes_total', per: perSecond },
  { metric: 'disk_read_bytes_per_sec', counter: 'disk_read_bytes_total', per: perSecond },
  { metric: 'disk_write_bytes_per_sec', counter: 'disk_write_bytes_total', per: perSecond },
  { metric: 'net_rx_errors_per_sec', counter: 'net_rx_errors_total', per: perSecond },
  { metric: 'net_tx_errors_per_sec', counter: 'net_tx_errors_total', per: perSecond },
  { metric: 'net_rx_drops_per_sec', counter: 'net_rx_drops_total', per: perSecond },
  { metric: 'net_tx_drops_per_sec', counter: 'net_tx_drops_total', per: perSecond },
  // io_ticks counts wall time with I/O in flight, so it cannot pass the interval but for rounding.
  { metric: 'disk_util_percent', counter: 'disk_io_ms_total', per: shareOfInterval(1000) },
  { metric: 'pressure_some_percent', counter: 'pressure_some_usec_total', per: shareOfInterval(1e6) },
  { metric: 'pressure_full_percent', counter: 'pressure_full_usec_total', per: shareOfInterval(1e6) },
  { metric: 'oom_kills', counter: 'oom_kills_total', per: countInInterval },
];

const key = (metric: string, labels: string): string => `${metric}\u0000${labels}`;

const index = (samples: readonly Sample[]): Map<string, number> => new Map(samples.map((s) => [key(s.m, canonicalLabels(s.l)), s.v]));

/**
 * Rates and percentages from two counter snapshots, as Prometheus' rate() would over
 * the interval. A counter that went down (reboot, wrap) gives no value for that interval
 * rather than a nonsense one; `rebooted` drops every rate of the interval.
 */
export function deriveRates(prev: CounterSnapshot, cur: CounterSnapshot, rebooted = false): Sample[] {
  const seconds = (cur.ts - prev.ts) / 1000;
  if (rebooted || !(seconds > 0)) return [];
  const before = index(prev.counters);
  const after = index(cur.counters);
  const delta: Deltas = (metric, labels) => {
    const k = key(metric, canonicalLabels(labels));
    const [then, now] = [before.get(k), after.get(k)];
    return now === undefined || then === undefined || now < then ? undefined : now - then;
  };
  const out: Sample[] = [];
  for (const rule of CPU_RULES) {
    const value = rule.compute(delta);
    if (value !== undefined) out.push({ m: rule.metric, v: round(value) });
  }
  for (const rule of PER_LABEL_RULES) {
    for (const sample of cur.counters.filter((s) => s.m === rule.counter)) {
      const d = delta(sample.m, sample.l);
      if (d === undefined) continue;
      const v = round(rule.per(d, seconds));
      out.push(sample.l ? { m: rule.metric, v, l: sample.l } : { m: rule.metric, v });
    }
  }
  return out;
}

/** True when the host booted between the two readings: its uptime is shorter than the interval. */
export function rebootedBetween(prevTs: number, curTs: number, uptimeSec: number | undefined): boolean {
  return uptimeSec !== undefined && uptimeSec * 1000 < curTs - prevTs;
}

const round = (value: number): number => Math.round(value * 1000) / 1000;
