/**
 * Polls as a cluster's hosts report them, for the storage benchmark: 40 series a host whose
 * values look like the real ones (percentages with 2 decimals, rates with 3, byte counts,
 * counters that only grow), deterministic, so two runs store the same bytes.
 */
import type { Sample } from '../client-script/src/protocol.js';
import type { PollRecord } from '../src/poll/records.js';

type Shape = Omit<Sample, 'v'> & { readonly value: (host: number, minute: number) => number };

const r2 = (v: number): number => Math.round(v * 100) / 100;
const r3 = (v: number): number => Math.round(v * 1000) / 1000;
const wave = (host: number, minute: number, period: number, phase = 0): number => (Math.sin(minute / period + host * 1.7 + phase) + 1) / 2;

const GAUGES: readonly Shape[] = [
  { m: 'cpu_percent', value: (h, t) => r2(100 * wave(h, t, 30) ** 2) },
  { m: 'cpu_iowait_percent', value: (h, t) => r2(5 * wave(h, t, 7, 1)) },
  { m: 'mem_percent', value: (h, t) => r2(30 + 40 * wave(h, t, 600)) },
  { m: 'mem_used_bytes', value: (h, t) => Math.round(64e9 * (0.3 + 0.4 * wave(h, t, 600))) },
  { m: 'mem_total_bytes', value: () => 68_719_476_736 },
  { m: 'swap_percent', value: () => 0 },
  { m: 'load1', value: (h, t) => r2(32 * wave(h, t, 30) ** 2) },
  { m: 'load5', value: (h, t) => r2(32 * wave(h, t, 40) ** 2) },
  { m: 'load15', value: (h, t) => r2(32 * wave(h, t, 50) ** 2) },
  { m: 'uptime_sec', value: (h, t) => 86_400 * (h + 3) + 60 * t },
  { m: 'procs_running', value: (h, t) => Math.round(32 * wave(h, t, 30)) },
  { m: 'procs_total', value: (h, t) => 900 + Math.round(200 * wave(h, t, 120)) },
  { m: 'host_up', value: () => 1 },
  { m: 'poll_duration_sec', value: (h, t) => r3(0.2 + 0.3 * wave(h, t, 3)) },
  { m: 'inodes_used_percent', l: { mount: '/' }, value: (h, t) => r2(10 + wave(h, t, 5000)) },
  ...Array.from({ length: 15 }, (_, k): Shape => ({
    m: 'disk_used_percent',
    l: { mount: `/data${k}` },
    value: (h, t) => r2(20 + 60 * wave(h, t, 20_000, k)),
  })),
  ...Array.from({ length: 4 }, (_, k): Shape => ({ m: 'net_rx_bytes_per_sec', l: { iface: `eth${k}` }, value: (h, t) => r3(1.25e8 * wave(h, t, 9, k) ** 3) })),
  ...Array.from({ length: 2 }, (_, k): Shape => ({ m: 'disk_read_bytes_per_sec', l: { device: `sd${'ab'[k]}` }, value: (h, t) => r3(5e8 * wave(h, t, 11, k) ** 4) })),
];

const COUNTERS: readonly Shape[] = [
  { m: 'cpu_total_jiffies', value: (h, t) => 1e9 + h * 1e6 + t * 6400 },
  { m: 'cpu_idle_jiffies', value: (h, t) => 8e8 + h * 1e6 + t * 3200 },
  { m: 'net_rx_bytes_total', l: { iface: 'eth0' }, value: (h, t) => 4e12 + h * 1e9 + t * 7_500_000_000 },
  { m: 'disk_read_bytes_total', l: { device: 'sda' }, value: (h, t) => 9e11 + h * 1e8 + t * 30_000_000_000 },
];

/** The series of one host, `count` of them (at most 40): gauges first, the four counters last. */
export function shapeOf(count: number): Shape[] {
  const counters = COUNTERS.slice(0, Math.max(0, count - GAUGES.length));
  return [...GAUGES.slice(0, count - counters.length), ...counters];
}

export const hostName = (h: number): string => `node${String(h).padStart(3, '0')}`;

/**
 * Host h's poll at minute t (since the start), ending at `ts`; counters read 1.5 s earlier.
 * Samples are plain literals, the shape JSON.parse gives a real report's.
 */
export function pollOf(shape: readonly Shape[], h: number, t: number, ts: number): PollRecord {
  const samples = shape.map(({ m, l, value }): Sample => (l === undefined ? { m, v: value(h, t) } : { m, v: value(h, t), l }));
  return { host: hostName(h), ts, countersTs: ts - 1500, durationMs: 300, failure: undefined, collector: 'bench', samples };
}
