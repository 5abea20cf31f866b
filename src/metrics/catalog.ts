/**
 * Every metric metrix knows, in one table: what the collector reports, what the poller
 * derives and what the poller itself records. Config validation, derivation, `query` and
 * the README's metric list all read this table.
 */
export type MetricKind =
  /** reported by the collector, stored as is */
  | 'gauge'
  /** cumulative, reported by the collector, stored, and turned into rates */
  | 'counter'
  /** computed by the poller from two counter readings */
  | 'derived'
  /** recorded by the poller about the poll itself */
  | 'poller';

export interface MetricInfo {
  readonly name: string;
  readonly kind: MetricKind;
  readonly labels: readonly string[];
  readonly help: string;
}

const m = (name: string, kind: MetricKind, help: string, labels: readonly string[] = []): MetricInfo => ({ name, kind, labels, help });

export const METRICS: readonly MetricInfo[] = [
  m('cpu_percent', 'derived', 'CPU busy time over the poll interval, all CPUs (user+nice+system+irq+softirq+steal), %'),
  m('cpu_iowait_percent', 'derived', 'CPU time waiting for I/O over the poll interval, %'),
  m('cpu_steal_percent', 'derived', 'CPU time the hypervisor gave to other guests over the poll interval (virtual machines), %'),
  m('load1', 'gauge', 'load average over 1 minute'),
  m('load5', 'gauge', 'load average over 5 minutes'),
  m('load15', 'gauge', 'load average over 15 minutes'),
  m('mem_percent', 'gauge', '(MemTotal - MemAvailable) / MemTotal, %'),
  m('mem_used_bytes', 'gauge', 'MemTotal - MemAvailable, bytes'),
  m('mem_total_bytes', 'gauge', 'MemTotal, bytes'),
  m('swap_percent', 'gauge', 'swap in use, % (0 without swap)'),
  m('uptime_sec', 'gauge', 'seconds since boot'),
  m('procs_running', 'gauge', 'processes in the run queue'),
  m('procs_total', 'gauge', 'processes and threads that exist'),
  m('disk_used_percent', 'gauge', 'filesystem space used, % of what non-root users can use', ['mount']),
  m('disk_free_bytes', 'gauge', 'filesystem space available to non-root users, bytes', ['mount']),
  m('inodes_used_percent', 'gauge', 'inodes used, %', ['mount']),
  m('fs_readonly', 'gauge', '1 when the filesystem is mounted read-only (e.g. remounted after errors), 0 when writable', ['mount']),
  m('net_rx_bytes_per_sec', 'derived', 'bytes received per second over the poll interval', ['iface']),
  m('net_tx_bytes_per_sec', 'derived', 'bytes sent per second over the poll interval', ['iface']),
  m('disk_read_bytes_per_sec', 'derived', 'bytes read per second over the poll interval', ['device']),
  m('disk_write_bytes_per_sec', 'derived', 'bytes written per second over the poll interval', ['device']),
  m('net_rx_errors_per_sec', 'derived', 'received packets in error per second over the poll interval', ['iface']),
  m('net_tx_errors_per_sec', 'derived', 'packets that failed to send per second over the poll interval', ['iface']),
  m('net_rx_drops_per_sec', 'derived', 'received packets dropped per second over the poll interval', ['iface']),
  m('net_tx_drops_per_sec', 'derived', 'packets dropped before sending per second over the poll interval', ['iface']),
  m('disk_util_percent', 'derived', 'time the device had I/O in flight over the poll interval (iostat %util), %', ['device']),
  m('oom_kills', 'derived', 'processes killed by the kernel\'s out-of-memory killer over the poll interval (Linux 4.13 on)'),
  m('pressure_some_percent', 'derived', 'time some task was stalled waiting for cpu, memory or io over the poll interval (pressure stall information, Linux 4.20 on), %', ['resource']),
  m('pressure_full_percent', 'derived', 'time all non-idle tasks were stalled at once on memory or io over the poll interval (pressure stall information), %', ['resource']),
  m('hwmon_temp_c', 'gauge', 'hottest temperature sensor of each kind of hwmon chip (coretemp, k10temp, nvme, acpitz…), degrees Celsius (where /sys/class/hwmon has any)', ['chip']),
  m('gpu_util_percent', 'gauge', 'GPU utilisation, % (where nvidia-smi exists)', ['gpu']),
  m('gpu_mem_percent', 'gauge', 'GPU memory used, % (where nvidia-smi exists)', ['gpu']),
  m('gpu_temp_c', 'gauge', 'GPU temperature, degrees Celsius (where nvidia-smi exists)', ['gpu']),
  m('cpu_total_jiffies', 'counter', 'all CPU time since boot, clock ticks (guest time excluded, it is in user)'),
  m('cpu_idle_jiffies', 'counter', 'idle CPU time since boot, clock ticks'),
  m('cpu_iowait_jiffies', 'counter', 'iowait CPU time since boot, clock ticks'),
  m('net_rx_bytes_total', 'counter', 'bytes received since boot', ['iface']),
  m('net_tx_bytes_total', 'counter', 'bytes sent since boot', ['iface']),
  m('disk_read_bytes_total', 'counter', 'bytes read since boot', ['device']),
  m('disk_write_bytes_total', 'counter', 'bytes written since boot', ['device']),
  m('cpu_steal_jiffies', 'counter', 'stolen CPU time since boot, clock ticks'),
  m('net_rx_errors_total', 'counter', 'received packets in error since boot', ['iface']),
  m('net_tx_errors_total', 'counter', 'packets that failed to send since boot', ['iface']),
  m('net_rx_drops_total', 'counter', 'received packets dropped since boot', ['iface']),
  m('net_tx_drops_total', 'counter', 'packets dropped before sending since boot', ['iface']),
  m('disk_io_ms_total', 'counter', 'time the device had I/O in flight since boot, ms (io_ticks; 32 bits on some kernels, so it wraps)', ['device']),
  m('oom_kills_total', 'counter', 'out-of-memory kills since boot'),
  m('pressure_some_usec_total', 'counter', 'time some task was stalled on the resource since boot, microseconds', ['resource']),
  m('pressure_full_usec_total', 'counter', 'time all non-idle tasks were stalled on the resource since boot, microseconds', ['resource']),
  m('host_up', 'poller', '1 when the poll succeeded, 0 when it failed'),
  m('poll_duration_sec', 'poller', 'wall time of the poll, seconds'),
  m('check_status', 'poller', 'a <check> on the host: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (its last run; the plugin\'s first line goes with an alert mail)', ['check']),
  m('check_perf', 'poller', 'a <check>\'s perfdata value in base units: seconds, bytes, percent, counts', ['check', 'label']),
  m('log_matches', 'poller', 'a <log> on the host: lines that matched among those added since the last poll (the last ones go with an alert mail)', ['log']),
  m('metrix_mail_ok', 'poller', 'metrix itself (host "(metrix)"): 1 when the last outbox flush reached the mail server, 0 when it failed'),
  m('metrix_poll_failures', 'poller', 'metrix itself (host "(metrix)"): hosts whose last poll failed for a reason on the poller\'s side', ['reason']),
  m('metrix_cycle_duration_sec', 'poller', 'metrix itself (host "(metrix)"), under metrix run: wall time of the last cycle, seconds'),
  m('metrix_cycle_overruns', 'poller', 'metrix itself (host "(metrix)"), under metrix run: cycles so far that ran past the next start (since metrix run started)'),
  m('metrix_remote_write_queued', 'poller', 'metrix itself (host "(metrix)"), with <remoteWrite>: samples waiting to be sent after the last run'),
  m('metrix_remote_write_sent_total', 'poller', 'metrix itself (host "(metrix)"), with <remoteWrite>: samples the store accepted, since the database was made'),
  m('metrix_remote_write_dropped_total', 'poller', 'metrix itself (host "(metrix)"), with <remoteWrite>: samples dropped unsent (queue over maxQueued, refused by the store, past retention), since the database was made'),
];

const BY_NAME: ReadonlyMap<string, MetricInfo> = new Map(METRICS.map((info) => [info.name, info]));

export function metricInfo(name: string): MetricInfo | undefined {
  return BY_NAME.get(name);
}

export const METRIC_NAMES: readonly string[] = METRICS.map((info) => info.name);

export interface ValueRange {
  readonly min: number;
  readonly max: number;
}

const PERCENT: ValueRange = { min: 0, max: 100 };
const FLAG: ValueRange = { min: 0, max: 1 };
/** Metrics that are yes (1) or no (0). */
const FLAGS: ReadonlySet<string> = new Set(['fs_readonly']);
const NON_NEGATIVE: ValueRange = { min: 0, max: Number.MAX_VALUE };
// Hardware that runs is above absolute zero; a GPU in a cold room may report below 0 °C.
const CELSIUS: ValueRange = { min: -273.15, max: Number.MAX_VALUE };

/** The values a metric can take: flags 0 or 1, percentages 0–100, temperatures above absolute zero, everything else (counts, bytes, seconds, load) non-negative. */
export function valueRange(name: string): ValueRange {
  if (FLAGS.has(name)) return FLAG;
  if (name.endsWith('_percent')) return PERCENT;
  if (name.endsWith('_c')) return CELSIUS;
  return NON_NEGATIVE;
}
