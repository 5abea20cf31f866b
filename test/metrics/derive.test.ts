import { describe, expect, it } from 'vitest';
import type { Sample } from '../../client-script/src/protocol.js';
import { deriveRates, rebootedBetween } from '../../src/metrics/derive.js';

const cpu = (total: number, idle: number, iowait: number): Sample[] => [
  { m: 'cpu_total_jiffies', v: total },
  { m: 'cpu_idle_jiffies', v: idle },
  { m: 'cpu_iowait_jiffies', v: iowait },
];
const net = (iface: string, rx: number): Sample => ({ m: 'net_rx_bytes_total', v: rx, l: { iface } });
const value = (samples: Sample[], metric: string, labels?: Record<string, string>): number | undefined =>
  samples.find((s) => s.m === metric && JSON.stringify(s.l ?? {}) === JSON.stringify(labels ?? {}))?.v;

describe('deriveRates', () => {
  it.each([
    // name, previous cpu counters, current cpu counters, cpu_percent, cpu_iowait_percent
    ['half busy', cpu(1000, 500, 0), cpu(2000, 1000, 0), 50, 0],
    ['all idle', cpu(1000, 500, 0), cpu(2000, 1500, 0), 0, 0],
    ['iowait is not busy', cpu(1000, 500, 100), cpu(2000, 1100, 300), 20, 20],
    ['no CPU time passed', cpu(1000, 500, 0), cpu(1000, 500, 0), undefined, undefined],
    ['counter reset (reboot)', cpu(100000, 50000, 0), cpu(2000, 1000, 0), undefined, undefined],
  ])('cpu: %s', (_name, before, after, busy, iowait) => {
    const rates = deriveRates({ ts: 0, counters: before }, { ts: 60_000, counters: after });
    expect(value(rates, 'cpu_percent')).toBe(busy);
    expect(value(rates, 'cpu_iowait_percent')).toBe(iowait);
  });

  it('turns byte counters into per-second rates per label set', () => {
    const rates = deriveRates(
      { ts: 1_000, counters: [net('eth0', 1000), net('eth1', 5000)] },
      { ts: 11_000, counters: [net('eth0', 21000), net('eth1', 5000), net('eth2', 10)] },
    );
    expect(value(rates, 'net_rx_bytes_per_sec', { iface: 'eth0' })).toBe(2000);
    expect(value(rates, 'net_rx_bytes_per_sec', { iface: 'eth1' })).toBe(0);
    expect(value(rates, 'net_rx_bytes_per_sec', { iface: 'eth2' })).toBeUndefined(); // new interface: no previous reading
  });

  it('gives no rate for a counter that wrapped, and keeps the others', () => {
    const rates = deriveRates(
      { ts: 0, counters: [net('eth0', 2 ** 32 - 10), net('eth1', 0)] },
      { ts: 10_000, counters: [net('eth0', 5), net('eth1', 100)] },
    );
    expect(value(rates, 'net_rx_bytes_per_sec', { iface: 'eth0' })).toBeUndefined();
    expect(value(rates, 'net_rx_bytes_per_sec', { iface: 'eth1' })).toBe(10);
  });

  it('gives nothing across a reboot even when counters grew past their old values', () => {
    const rates = deriveRates({ ts: 0, counters: cpu(10, 5, 0) }, { ts: 60_000, counters: cpu(5000, 1000, 0) }, true);
    expect(rates).toEqual([]);
  });

  it('gives nothing when time did not advance', () => {
    expect(deriveRates({ ts: 5, counters: cpu(1, 1, 0) }, { ts: 5, counters: cpu(9, 1, 0) })).toEqual([]);
  });
});

describe('rebootedBetween', () => {
  it.each([
    [0, 60_000, 30, true],
    [0, 60_000, 3600, false],
    [0, 60_000, undefined, false],
  ])('from %i to %i with uptime %s → %s', (prev, cur, uptime, expected) => {
    expect(rebootedBetween(prev, cur, uptime)).toBe(expected);
  });
});
