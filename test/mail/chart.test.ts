import { describe, expect, it } from 'vitest';
import { renderChart, renderChartSvg } from '../../src/mail/chart.js';
import { chartRows, chartSpec, valueDomain } from '../../src/mail/chart-spec.js';
import type { ChartInput } from '../../src/mail/message.js';
import { HOSTILE, MINUTE, minuteSeries, NOW, pngSize } from './helpers.js';

const input = (overrides: Partial<ChartInput> = {}): ChartInput => ({
  title: 'high-cpu on f4',
  metric: 'cpu_percent',
  host: 'f4',
  labels: {},
  points: minuteSeries(60, (i) => 70 + (i % 20)),
  limit: 90,
  op: '>',
  now: NOW,
  ...overrides,
});

const expectSensiblePng = (png: Buffer): void => {
  const size = pngSize(png);
  expect(size).toBeDefined();
  expect(size?.width).toBeGreaterThanOrEqual(1200);
  expect(size?.width).toBeLessThanOrEqual(2400);
  expect(size?.height).toBeGreaterThanOrEqual(400);
  expect(size?.height).toBeLessThanOrEqual(1000);
};

const at = (minutes: readonly number[]) => minutes.map((m) => ({ ts: NOW + m * MINUTE, value: m }));
const gapsIn = (minutes: readonly number[]): number[] => chartRows(at(minutes)).flatMap((row) => (row.v === null ? [Number(((row.t - NOW) / MINUTE).toFixed(2))] : []));

describe('chart rows', () => {
  it.each([
    ['polls every minute, none missed', [0, 1, 2, 3, 4, 5], []],
    ['jitter of a few seconds is not a gap', [0, 1.1, 2, 3.15, 4, 4.9, 6], []],
    ['a 15-minute gap among minute polls', [0, 1, 2, 3, 18, 19, 20], [10.5]],
    ['a 15-minute gap in a short series (the median would be the gap itself)', [0, 1, 16], [8.5]],
    ['two gaps among few samples', [0, 1, 16, 17, 40], [8.5, 28.5]],
    ['one missed poll of five-minute polls', [0, 5, 10, 20, 25, 30], [15]],
    ['an extra manual run between cron minutes does not turn every minute into a gap', [0, 0.1, 1, 2, 3, 4, 5, 6], []],
    ['two samples: no interval to judge by', [0, 15], []],
  ])('%s', (_name, minutes, gaps) => {
    expect(gapsIn(minutes)).toEqual(gaps);
  });

  it('breaks the line at a gap longer than 1.5 poll intervals, not at ordinary jitter', () => {
    const points = [0, 1, 2, 3.2, 10, 11, 12].map((m) => ({ ts: NOW + m * MINUTE, value: m }));
    const rows = chartRows(points);
    expect(rows.map((r) => r.v)).toEqual([0, 1, 2, 3.2, null, 10, 11, 12]);
    expect(rows[4]?.t).toBe(NOW + 6.6 * MINUTE);
  });

  it('sorts samples, drops non-finite values, and dots a sample left alone between gaps', () => {
    const points = [5, 0, 1, 2, 20, 21, 22].map((m) => ({ ts: NOW + m * MINUTE, value: m === 21 ? Number.NaN : m }));
    const rows = chartRows(points.concat(minuteSeries(40, () => 1).map((p) => ({ ...p, ts: p.ts + 3_600_000 }))));
    expect(rows.slice(0, 3).map((r) => r.v)).toEqual([0, 1, 2]);
    expect(rows.filter((r) => r.dot).map((r) => r.v)).toEqual([5]);
    expect(rows.some((r) => Number.isNaN(r.v))).toBe(false);
  });

  it('pads the value range around samples and limit, not below zero for non-negative data', () => {
    expect(valueDomain([90])).toEqual([81, 99]);
    expect(valueDomain([0, 100])).toEqual([0, 108]);
    expect(valueDomain([-10, 10])).toEqual([-11.6, 11.6]);
  });
});

describe('chart spec', () => {
  it('draws the limit red and labelled, the clear level dashed, time in UTC', () => {
    const spec = JSON.stringify(chartSpec(input({ clear: 80 })));
    expect(spec).toContain('"text":{"value":"limit 90"}');
    expect(spec).toContain('"text":{"value":"clear 80"}');
    expect(spec).toContain('"strokeDash":[6,4]');
    expect(spec).toContain('"type":"utc"');
    expect(spec).toContain('"color":"#c62828"');
  });
});

describe('chart spec gaps', () => {
  it('gives the line a null row at the gap and tells vega-lite to break paths there', () => {
    const spec = chartSpec(input({ points: at([0, 1, 16]) })) as { data: { values: Array<{ v: number | null }> }; layer: Array<{ mark: { type: string; invalid?: string } }> };
    expect(spec.data.values.map((row) => row.v)).toEqual([0, 1, null, 16]);
    expect(spec.layer.find((layer) => layer.mark.type === 'line')?.mark.invalid).toBe('break-paths-filter-domains');
  });
});

/** The `d` of the rendered line: one "M" per piece of line. */
const linePieces = (svg: string): number => (/mark-line[^]*?<path[^>]* d="([^"]*)"/.exec(svg)?.[1] ?? '').split('M').length - 1;

describe('renderChart', () => {
  it('draws a 15-minute gap in minute polls as a break in the line', async () => {
    const minutes = Array.from({ length: 60 }, (_, i) => i - 60).filter((m) => m < -40 || m >= -25);
    const points = minutes.map((m) => ({ ts: NOW + m * MINUTE, value: 80 + (m % 7) }));
    expect(linePieces(await renderChartSvg(input({ points })))).toBe(2);
    expect(linePieces(await renderChartSvg(input({ points: at([-30, -29, -14]) })))).toBe(2);
    expect(linePieces(await renderChartSvg(input()))).toBe(1);
  });

  it('renders a PNG of sensible size with the limit and samples', async () => {
    expectSensiblePng(await renderChart(input({ clear: 80 })));
    const svg = await renderChartSvg(input());
    expect(svg).toContain('limit 90');
    expect(svg).toContain('time (UTC)');
    expect(svg).toContain('03:30');
  });

  it('renders one sample as a dot', async () => {
    const svg = await renderChartSvg(input({ points: [{ ts: NOW - 2 * MINUTE, value: 93.4 }] }));
    expect(svg).toContain('mark-symbol');
    expectSensiblePng(await renderChart(input({ points: [{ ts: NOW - 2 * MINUTE, value: 93.4 }] })));
  });

  it('renders a "no samples" chart when there are none', async () => {
    const svg = await renderChartSvg(input({ points: [] }));
    expect(svg).toContain('no samples in this period');
    expectSensiblePng(await renderChart(input({ points: [] })));
  });

  it('draws hostile titles and labels as text, not markup', async () => {
    const svg = await renderChartSvg(input({ title: HOSTILE.rule, host: HOSTILE.host, labels: { mount: HOSTILE.label } }));
    expect(svg).not.toMatch(/<script|<img|<b>/);
    expect(svg).toContain('&lt;script&gt;');
  });
});
