import { describe, expect, it } from 'vitest';
import type { Report } from '../../client-script/src/protocol.js';
import { REPORT_CAPS, validateReport } from '../../src/poll/validate-report.js';

const GOOD: Report = {
  v: 1,
  host: 'f4',
  challenge: 'c1',
  ts: 1_700_000_003_000,
  countersAt: 1_700_000_000_000,
  collector: '0.1.0',
  gauges: [
    { m: 'load1', v: 0.5 },
    { m: 'disk_used_percent', v: 41.5, l: { mount: '/' } },
    { m: 'gpu_temp_c', v: -5, l: { gpu: '0' } },
  ],
  counters: [{ m: 'cpu_total_jiffies', v: 1000 }, { m: 'net_rx_bytes_total', v: 0, l: { iface: 'eth0' } }],
  baseline: { ts: 1_699_999_999_700, counters: [{ m: 'cpu_total_jiffies', v: 990 }] },
  errors: [{ collector: 'filesystem', message: '/nfs: statfs timed out after 2000ms' }],
};

/** GOOD with one field replaced (undefined removes it). */
const with_ = (field: string, value: unknown): unknown => {
  const copy: Record<string, unknown> = { ...GOOD, [field]: value };
  if (value === undefined) delete copy[field];
  return copy;
};
const gauge = (sample: unknown): unknown => with_('gauges', [sample]);
const counter = (sample: unknown): unknown => with_('counters', [sample]);
const long = (n: number): string => 'x'.repeat(n);
const many = (n: number, m = 'load1'): unknown[] => Array.from({ length: n }, () => ({ m, v: 1 }));
const LIMITS = { maxSamples: 5000 };

describe('validateReport', () => {
  it('accepts a good report and returns a copy made of its checked fields', () => {
    const result = validateReport({ ...GOOD, extra: 'ignored', gauges: [{ m: 'load1', v: 1, junk: long(10) }] }, LIMITS);
    expect(result).toEqual({ ok: true, value: { ...GOOD, gauges: [{ m: 'load1', v: 1 }] } });
  });

  it.each([
    ['an old collector without countersAt', with_('countersAt', undefined)],
    ['no baseline', with_('baseline', undefined)],
    ['no samples at all', { ...GOOD, gauges: [], counters: [], baseline: undefined }],
    ['exactly maxSamples', { ...GOOD, gauges: many(4998), counters: many(2, 'cpu_total_jiffies') }],
    ['0 and 100 percent', with_('gauges', [{ m: 'mem_percent', v: 0 }, { m: 'swap_percent', v: 100 }])],
    ['the most labels allowed', gauge({ m: 'disk_free_bytes', v: 1, l: { mount: long(REPORT_CAPS.labelValueLength) } })],
    ['a control character in an error message (the log escapes it)', with_('errors', [{ collector: 'gpu', message: 'nvidia-smi said \u001b[31mno' }])],
  ])('accepts %s', (_case, report) => expect(validateReport(report, LIMITS).ok).toBe(true));

  it.each([
    ['a list', [], /payload is a list, not an object/],
    ['null', null, /payload is null/],
    ['no host', with_('host', undefined), /no version, host or challenge/],
    ['no gauges', with_('gauges', undefined), /gauges is undefined, not a list/],
    ['gauges as an object', with_('gauges', { m: 'load1', v: 1 }), /gauges is object, not a list/],
    ['no counters', with_('counters', undefined), /counters is undefined, not a list/],
    ['no errors', with_('errors', undefined), /errors is undefined, not a list/],
    ['no ts', with_('ts', undefined), /ts is undefined, not a time/],
    ['ts as text', with_('ts', '1700000000000'), /ts is "1700000000000", not a time/],
    ['a negative ts', with_('ts', -1), /ts is -1, not a time/],
    ['countersAt Infinity (1e999 in JSON)', with_('countersAt', Number.POSITIVE_INFINITY), /countersAt is Infinity, not a time/],
    ['no collector version', with_('collector', undefined), /collector version is undefined, not a string/],
    ['a huge collector version', with_('collector', long(65)), /collector version has 65 chars, over 64/],
    ['an escape in the collector version', with_('collector', '1.0\u001b[2J'), /collector version "1.0\\u001b\[2J" holds control characters/],
    ['a baseline without counters', with_('baseline', { ts: 1 }), /baseline is not \{ts, counters\}/],
    ['a baseline without ts', with_('baseline', { counters: [] }), /baseline is not \{ts, counters\}/],
    ['a sample that is a number', gauge(5), /gauges\[0\]: a sample is number, not \{m, v, l\}/],
    ['a sample without m', gauge({ v: 1 }), /gauges\[0\]: a metric name is undefined/],
    ['an unknown metric', gauge({ m: 'DROP TABLE', v: 1 }), /gauges\[0\]: unknown metric "DROP TABLE"/],
    ['a counter among the gauges', gauge({ m: 'cpu_total_jiffies', v: 1 }), /cpu_total_jiffies is a counter metric, not a gauge/],
    ['a derived metric sent by the host', gauge({ m: 'cpu_percent', v: 1 }), /cpu_percent is a derived metric, not a gauge/],
    ['a poller metric sent by the host', gauge({ m: 'host_up', v: 1 }), /host_up is a poller metric, not a gauge/],
    ['a gauge among the counters', counter({ m: 'load1', v: 1 }), /counters\[0\]: load1 is a gauge metric, not a counter/],
    ['a value as text', gauge({ m: 'load1', v: '1' }), /load1 value is "1", not a finite number/],
    ['a missing value', gauge({ m: 'load1' }), /load1 value is undefined, not a finite number/],
    ['NaN', gauge({ m: 'load1', v: Number.NaN }), /load1 value is NaN, not a finite number/],
    ['Infinity', gauge({ m: 'load1', v: Number.POSITIVE_INFINITY }), /load1 value is Infinity/],
    ['a negative percent', gauge({ m: 'mem_percent', v: -0.5 }), /mem_percent value -0.5 is outside 0..100/],
    ['a percent over 100', gauge({ m: 'disk_used_percent', v: 100.5, l: { mount: '/' } }), /disk_used_percent value 100.5 is outside 0..100/],
    ['a negative byte count', gauge({ m: 'mem_used_bytes', v: -1 }), /mem_used_bytes value -1 is outside 0\.\./],
    ['a negative counter', counter({ m: 'cpu_total_jiffies', v: -10 }), /counters\[0\]: cpu_total_jiffies value -10 is outside/],
    ['a temperature below absolute zero', gauge({ m: 'gpu_temp_c', v: -300, l: { gpu: '0' } }), /gpu_temp_c value -300 is outside -273.15\.\./],
    ['labels as a list', gauge({ m: 'disk_free_bytes', v: 1, l: ['/'] }), /disk_free_bytes: labels are a list, not an object/],
    ['labels as null', gauge({ m: 'disk_free_bytes', v: 1, l: null }), /labels are null/],
    ['too many labels', gauge({ m: 'disk_free_bytes', v: 1, l: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v'])) }), /9 labels, over 8/],
    ['a label the metric does not have', gauge({ m: 'disk_free_bytes', v: 1, l: { mount: '/', owner: 'x' } }), /disk_free_bytes has no label "owner" \(it has: mount\)/],
    ['a label on a metric without labels', gauge({ m: 'load1', v: 1, l: { cpu: '0' } }), /load1 has no label "cpu" \(it has none\)/],
    ['a label name with a quote', gauge({ m: 'disk_free_bytes', v: 1, l: { 'mo"unt': '/' } }), /bad label name "mo\\"unt"/],
    ['a huge label name', gauge({ m: 'disk_free_bytes', v: 1, l: { [long(65)]: '/' } }), /bad label name "x+"… \(65 chars\)/],
    ['a label value that is a number', gauge({ m: 'disk_free_bytes', v: 1, l: { mount: 5 } }), /label mount is number, not a string/],
    ['a huge label value', gauge({ m: 'disk_free_bytes', v: 1, l: { mount: long(513) } }), /label mount has 513 chars, over 512/],
    ['a bidi override in a label value', gauge({ m: 'disk_free_bytes', v: 1, l: { mount: '/evil\u202etxt' } }), /label mount .* holds control characters/],
    ['a newline in a label value', gauge({ m: 'disk_free_bytes', v: 1, l: { mount: '/a\nb' } }), /label mount "\/a\\nb" holds control characters/],
    ['a malformed baseline counter', with_('baseline', { ts: 1, counters: [{ m: 'cpu_total_jiffies', v: null }] }), /baseline.counters\[0\]: cpu_total_jiffies value is null/],
    ['a later bad sample', with_('gauges', [...GOOD.gauges, { m: 'load5', v: -1 }]), /gauges\[3\]: load5 value -1/],
    ['an error that is text', with_('errors', ['boom']), /errors\[0\] is "boom", not \{collector, message\}/],
    ['an error without message', with_('errors', [{ collector: 'fs' }]), /errors\[0\].message is undefined, not a string/],
    ['an escape in an error collector name', with_('errors', [{ collector: 'fs\u001b', message: 'x' }]), /errors\[0\].collector "fs\\u001b" holds control characters/],
  ])('rejects %s as bad-output', (_case, report, reason) => {
    const result = validateReport(report, LIMITS);
    expect(result.ok ? 'accepted' : `${result.failure.reason}: ${result.failure.message}`).toMatch(/^bad-output: malformed report: /);
    if (!result.ok) expect(result.failure.message).toMatch(reason);
  });

  it('cuts collector errors (warnings on a good poll) instead of failing the host: 100 kept, messages at 1000 chars', () => {
    const result = validateReport(with_('errors', [{ collector: 'fs', message: long(1001) }, ...Array.from({ length: 299 }, (_, i) => ({ collector: 'fs', message: `/nfs${i}: statfs timed out` }))]), LIMITS);
    if (!result.ok) throw new Error(result.failure.message);
    expect(result.value.errors).toHaveLength(101);
    expect(result.value.errors[0]!.message).toBe(`${long(1000)}… (1001 chars)`);
    expect(result.value.errors[99]!.message).toBe('/nfs98: statfs timed out');
    expect(result.value.errors[100]).toEqual({ collector: 'metrix', message: '200 more collector errors not shown (at most 100 are kept)' });
    expect(result.value.gauges).toEqual(GOOD.gauges);
  });

  it.each([
    ['10,000 gauges', { ...GOOD, gauges: many(10_000), counters: [] }, 'report has 10000 samples, over maxSamples 5000'],
    ['gauges and counters together', { ...GOOD, gauges: many(4000), counters: many(1001, 'cpu_total_jiffies') }, 'report has 5001 samples, over maxSamples 5000'],
    ['a flooded baseline', with_('baseline', { ts: 1, counters: many(5001, 'cpu_total_jiffies') }), "report's warm-up baseline has 5001 samples, over maxSamples 5000"],
    // Counted before the samples are read: a flood of junk is refused for its size.
    ['10,000 junk samples', { ...GOOD, gauges: Array.from({ length: 10_000 }, () => 'junk') }, 'report has 10002 samples, over maxSamples 5000'],
  ])('refuses %s as too-many-samples', (_case, report, message) => {
    expect(validateReport(report, LIMITS)).toEqual({ ok: false, failure: { reason: 'too-many-samples', message } });
  });
});
