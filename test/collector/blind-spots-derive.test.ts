import { describe, expect, it } from 'vitest';
import type { Report, Sample } from '../../client-script/src/protocol.js';
import { metricInfo, valueRange } from '../../src/metrics/catalog.js';
import { deriveRates } from '../../src/metrics/derive.js';
import { validateReport } from '../../src/poll/validate-report.js';

// What the poller makes of the counters issue 11 added, between two polls 60 s apart, and
// what it accepts from a host for them.

const MINUTE = 60_000;
const at = (ts: number, counters: Sample[]): { ts: number; counters: Sample[] } => ({ ts, counters });
const value = (samples: Sample[], metric: string, labels?: Record<string, string>): number | undefined =>
  samples.find((s) => s.m === metric && JSON.stringify(s.l ?? {}) === JSON.stringify(labels ?? {}))?.v;
const derive = (before: Sample[], after: Sample[], rebooted = false): Sample[] => deriveRates(at(0, before), at(MINUTE, after), rebooted);

const cpu = (total: number, steal: number): Sample[] => [
  { m: 'cpu_total_jiffies', v: total }, { m: 'cpu_idle_jiffies', v: 0 }, { m: 'cpu_iowait_jiffies', v: 0 }, { m: 'cpu_steal_jiffies', v: steal },
];
const eth0 = { iface: 'eth0' };
const sda = { device: 'sda' };

describe('derived from the new counters', () => {
  it.each([
    ['a quarter of CPU time stolen', cpu(10_000, 100), cpu(22_000, 3100), 25],
    ['none stolen', cpu(10_000, 100), cpu(22_000, 100), 0],
    ['steal counter reset', cpu(10_000, 5000), cpu(22_000, 10), undefined],
  ])('cpu_steal_percent: %s', (_name, before, after, percent) => {
    expect(value(derive(before, after), 'cpu_steal_percent')).toBe(percent);
  });

  it('cpu_steal_percent is absent when a kernel reports no steal column, and cpu_percent still comes', () => {
    const old = (total: number): Sample[] => cpu(total, 0).filter((s) => s.m !== 'cpu_steal_jiffies');
    const rates = derive(old(1000), old(2000));
    expect(value(rates, 'cpu_steal_percent')).toBeUndefined();
    expect(value(rates, 'cpu_percent')).toBe(100);
  });

  it('network errors and drops become per-second rates per interface', () => {
    const counters = (errs: number, drops: number): Sample[] => [
      { m: 'net_rx_errors_total', v: errs, l: eth0 }, { m: 'net_tx_errors_total', v: errs, l: eth0 },
      { m: 'net_rx_drops_total', v: drops, l: eth0 }, { m: 'net_tx_drops_total', v: 0, l: eth0 },
    ];
    const rates = derive(counters(12, 340), counters(72, 940));
    expect(value(rates, 'net_rx_errors_per_sec', eth0)).toBe(1);
    expect(value(rates, 'net_tx_errors_per_sec', eth0)).toBe(1);
    expect(value(rates, 'net_rx_drops_per_sec', eth0)).toBe(10);
    expect(value(rates, 'net_tx_drops_per_sec', eth0)).toBe(0);
  });

  it.each([
    ['busy 15 s of 60', 1_000, 16_000, 25],
    ['busy the whole minute', 1_000, 61_000, 100],
    // Rounding between the kernel's jiffies and the poller's clock: never above 100.
    ['a little over the interval', 1_000, 61_400, 100],
    // io_ticks is 32 bits on many kernels and wraps every 49.7 days: no value, not a negative one.
    ['io_ticks wrapped at 2^32 ms', 2 ** 32 - 5_000, 10_000, undefined],
    ['the device was replaced (counter back to 0)', 500_000, 300, undefined],
  ])('disk_util_percent: %s', (_name, before, after, percent) => {
    const rates = derive([{ m: 'disk_io_ms_total', v: before, l: sda }], [{ m: 'disk_io_ms_total', v: after, l: sda }]);
    expect(value(rates, 'disk_util_percent', sda)).toBe(percent);
  });

  it.each([
    ['none', 3, 3, 0],
    ['two in the interval', 3, 5, 2],
    ['counter back to 0 (reboot missed)', 7, 0, undefined],
  ])('oom_kills is the count over the interval: %s', (_name, before, after, kills) => {
    expect(value(derive([{ m: 'oom_kills_total', v: before }], [{ m: 'oom_kills_total', v: after }]), 'oom_kills')).toBe(kills);
  });

  it('pressure becomes the share of the interval stalled, per resource, some and full', () => {
    const totals = (cpuSome: number, ioSome: number, ioFull: number): Sample[] => [
      { m: 'pressure_some_usec_total', v: cpuSome, l: { resource: 'cpu' } },
      { m: 'pressure_some_usec_total', v: ioSome, l: { resource: 'io' } },
      { m: 'pressure_full_usec_total', v: ioFull, l: { resource: 'io' } },
    ];
    // 60 s = 60,000,000 µs: 6 s stalled is 10 %, 1.5 s is 2.5 %.
    const rates = derive(totals(1_000_000, 5_000_000, 2_000_000), totals(7_000_000, 6_500_000, 2_000_000));
    expect(value(rates, 'pressure_some_percent', { resource: 'cpu' })).toBe(10);
    expect(value(rates, 'pressure_some_percent', { resource: 'io' })).toBe(2.5);
    expect(value(rates, 'pressure_full_percent', { resource: 'io' })).toBe(0);
    expect(value(rates, 'pressure_full_percent', { resource: 'cpu' })).toBeUndefined();
  });

  it('gives none of them across a reboot', () => {
    const before = [...cpu(10, 1), { m: 'oom_kills_total', v: 0 }, { m: 'disk_io_ms_total', v: 5, l: sda }];
    const after = [...cpu(6000, 100), { m: 'oom_kills_total', v: 4 }, { m: 'disk_io_ms_total', v: 9000, l: sda }];
    expect(derive(before, after, true)).toEqual([]);
  });

  it('gives none on the first poll of a series (no previous reading of it)', () => {
    const rates = derive(cpu(1000, 0), [...cpu(2000, 0), { m: 'oom_kills_total', v: 9 }, { m: 'disk_io_ms_total', v: 9000, l: sda }]);
    expect(value(rates, 'oom_kills')).toBeUndefined();
    expect(value(rates, 'disk_util_percent', sda)).toBeUndefined();
  });
});

describe('the catalog and the poller\'s checks for the new series', () => {
  const report = (gauges: Sample[], counters: Sample[] = []): Record<string, unknown> => ({
    v: 1, host: 'f4', challenge: 'c', ts: 1_700_000_000_000, collector: '0.1.0', gauges, counters, errors: [],
  });
  const check = (gauges: Sample[], counters: Sample[] = []): ReturnType<typeof validateReport> => validateReport(report(gauges, counters), { maxSamples: 100 });

  it('accepts every new series as the collector sends it', () => {
    const gauges: Sample[] = [
      { m: 'fs_readonly', v: 1, l: { mount: '/data' } },
      { m: 'fs_readonly', v: 0, l: { mount: '/dev/shm' } },
      { m: 'disk_used_percent', v: 95, l: { mount: '/dev/shm' } },
      { m: 'hwmon_temp_c', v: 71, l: { chip: 'coretemp' } },
    ];
    const counters: Sample[] = [
      ...cpu(100, 1),
      { m: 'net_rx_errors_total', v: 1, l: eth0 }, { m: 'net_tx_errors_total', v: 1, l: eth0 },
      { m: 'net_rx_drops_total', v: 1, l: eth0 }, { m: 'net_tx_drops_total', v: 1, l: eth0 },
      { m: 'disk_io_ms_total', v: 1, l: sda }, { m: 'oom_kills_total', v: 3 },
      { m: 'pressure_some_usec_total', v: 1, l: { resource: 'memory' } }, { m: 'pressure_full_usec_total', v: 1, l: { resource: 'memory' } },
    ];
    const checked = check(gauges, counters);
    expect(checked.ok).toBe(true);
    expect((checked as { value: Report }).value.gauges).toEqual(gauges);
  });

  it.each([
    ['fs_readonly is 0 or 1', [{ m: 'fs_readonly', v: 2, l: { mount: '/' } }], /fs_readonly value 2 is outside 0\.\.1/],
    ['fs_readonly has no device label', [{ m: 'fs_readonly', v: 1, l: { device: 'sda' } }], /fs_readonly has no label "device" \(it has: mount\)/],
    ['a temperature below absolute zero', [{ m: 'hwmon_temp_c', v: -300, l: { chip: 'x' } }], /hwmon_temp_c value -300 is outside -273\.15\.\./],
    ['a derived series sent as a gauge', [{ m: 'oom_kills', v: 1 }], /oom_kills is a derived metric, not a gauge/],
  ])('refuses a report where %s', (_name, gauges, message) => {
    const checked = check(gauges as Sample[]);
    expect(checked.ok).toBe(false);
    expect(checked.ok ? '' : checked.failure.message).toMatch(message);
  });

  it('refuses a chip label longer than any label may be', () => {
    const checked = check([{ m: 'hwmon_temp_c', v: 40, l: { chip: 'x'.repeat(600) } }]);
    expect(checked.ok ? '' : checked.failure.message).toMatch(/hwmon_temp_c label chip has 600 chars, over 512/);
  });

  it('lists each new series in the catalog with its kind, labels and range', () => {
    const expected: Array<[string, string, string[]]> = [
      ['cpu_steal_percent', 'derived', []], ['fs_readonly', 'gauge', ['mount']], ['hwmon_temp_c', 'gauge', ['chip']],
      ['net_rx_errors_per_sec', 'derived', ['iface']], ['net_tx_drops_per_sec', 'derived', ['iface']],
      ['disk_util_percent', 'derived', ['device']], ['oom_kills', 'derived', []],
      ['pressure_some_percent', 'derived', ['resource']], ['pressure_full_percent', 'derived', ['resource']],
      ['cpu_steal_jiffies', 'counter', []], ['disk_io_ms_total', 'counter', ['device']], ['oom_kills_total', 'counter', []],
      ['pressure_some_usec_total', 'counter', ['resource']],
    ];
    for (const [name, kind, labels] of expected) expect(metricInfo(name), name).toMatchObject({ kind, labels });
    expect(valueRange('fs_readonly')).toEqual({ min: 0, max: 1 });
    expect(valueRange('disk_util_percent')).toEqual({ min: 0, max: 100 });
  });
});
