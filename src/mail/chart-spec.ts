import type { Point } from '../alerts/types.js';
import { formatNumber, oneLine, seriesName, truncate } from './format.js';
import type { ChartInput } from './message.js';

export const CHART_SIZE = { width: 720, height: 220 } as const;
const COLORS = { line: '#1f5fa8', limit: '#c62828', clear: '#b26a00', muted: '#757575' } as const;
const HOUR = 3_600_000;

/** A row of the chart's data: `v` null marks a gap, so the line breaks there. */
export interface ChartRow {
  readonly t: number;
  readonly v: number | null;
  /** Drawn as a dot: few samples, or a sample with no neighbour to join. */
  readonly dot: boolean;
}

/** A spacing this many times the poll interval means a poll is missing (one missed poll doubles it). */
const GAP_FACTOR = 1.5;

/**
 * The poll interval as the samples show it: the lower quartile of the spacings. Not the
 * median, which a short series with one long gap pulls up to the gap itself (1 min, 15 min:
 * median 15), nor the minimum, which one extra manual run would pull down to seconds.
 */
export function pollInterval(sortedTs: readonly number[]): number {
  const steps = sortedTs.slice(1).map((ts, i) => ts - (sortedTs[i] ?? ts)).filter((step) => step > 0).sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 4)] ?? 0;
}

/**
 * Sorts the samples and puts a null row into every gap longer than 1.5 poll intervals,
 * so a missed stretch is not drawn as a straight line across: the line mark breaks there.
 */
export function chartRows(points: readonly Point[]): ChartRow[] {
  const sorted = points.filter((p) => Number.isFinite(p.value)).sort((a, b) => a.ts - b.ts);
  const interval = pollInterval(sorted.map((p) => p.ts));
  const isGap = (i: number): boolean => {
    const a = sorted[i];
    const b = sorted[i + 1];
    return a === undefined || b === undefined || (interval > 0 && b.ts - a.ts > interval * GAP_FACTOR);
  };
  const rows: ChartRow[] = [];
  sorted.forEach((point, i) => {
    const alone = isGap(i) && (i === 0 || isGap(i - 1));
    rows.push({ t: point.ts, v: point.value, dot: sorted.length <= 40 || alone });
    const next = sorted[i + 1];
    if (next && isGap(i)) rows.push({ t: (point.ts + next.ts) / 2, v: null, dot: false });
  });
  return rows;
}

/** y domain over the samples and the limit lines, padded; never below 0 for non-negative data. */
export function valueDomain(values: readonly number[]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = lo === hi ? Math.abs(lo) * 0.1 || 1 : (hi - lo) * 0.08;
  return [lo >= 0 ? Math.max(0, lo - pad) : lo - pad, hi + pad];
}

/** The vega-lite spec for one alert's chart: samples, limit (and clear) lines, the firing side shaded. */
export function chartSpec(input: ChartInput): Record<string, unknown> {
  const rows = chartRows(input.points);
  const values = rows.flatMap((row) => (row.v === null ? [] : [row.v]));
  const levels = [input.limit, ...(input.clear === undefined ? [] : [input.clear])];
  const start = Math.min(rows[0]?.t ?? input.now - HOUR, input.now - 10 * 60_000);
  const end = Math.max(input.now, rows[rows.length - 1]?.t ?? input.now);
  const series = seriesName(input.metric, input.labels);
  const yTitle = truncate(oneLine(input.unit ? `${input.metric} (${input.unit})` : input.metric), 40);
  const xTime = {
    type: 'temporal',
    scale: { type: 'utc', domain: [start, end] },
    axis: { title: 'time (UTC)', format: end - start <= 36 * HOUR ? '%H:%M' : '%d %b %H:%M', labelOverlap: true, tickCount: 8 },
  };
  const x = { field: 't', ...xTime };
  const yScale = { domain: valueDomain([...values, ...levels]), nice: true, zero: false };
  const y = { field: 'v', type: 'quantitative', scale: yScale, axis: { title: yTitle } };
  const at = (level: number): Record<string, unknown> => ({ datum: level, type: 'quantitative', scale: yScale });
  const above = input.op === '>' || input.op === '>=';
  const below = input.op === '<' || input.op === '<=';
  const clearAbove = input.clear !== undefined && input.clear > input.limit;

  // Layers that draw a constant get one row of their own; on the samples they would repeat per row.
  const once = { values: [{}] };
  const layers: Record<string, unknown>[] = [];
  if (above || below) {
    layers.push({ data: once, mark: { type: 'rect', color: COLORS.limit, opacity: 0.06 }, encoding: { y: at(input.limit), y2: { value: above ? 0 : CHART_SIZE.height } } });
  }
  layers.push(
    { data: once, mark: { type: 'rule', color: COLORS.limit, strokeWidth: 1.5 }, encoding: { y: at(input.limit) } },
    levelLabel(`limit ${formatNumber(input.limit)}`, at(input.limit), COLORS.limit, clearAbove),
  );
  if (input.clear !== undefined) {
    layers.push(
      { data: once, mark: { type: 'rule', color: COLORS.clear, strokeWidth: 1.2, strokeDash: [6, 4] }, encoding: { y: at(input.clear) } },
      levelLabel(`clear ${formatNumber(input.clear)}`, at(input.clear), COLORS.clear, !clearAbove),
    );
  }
  if (rows.length > 0) {
    layers.push(
      // Said rather than left to the default: a null row must break the path, never be skipped over.
      { mark: { type: 'line', color: COLORS.line, strokeWidth: 1.6, interpolate: 'linear', invalid: 'break-paths-filter-domains' }, encoding: { x, y } },
      { transform: [{ filter: 'datum.dot' }], mark: { type: 'point', filled: true, color: COLORS.line, size: 22, opacity: 1 }, encoding: { x, y } },
    );
  } else {
    layers.push(
      { data: once, mark: { type: 'rule', opacity: 0 }, encoding: { x: { ...xTime, datum: start } } },
      { data: once, mark: { type: 'text', fontSize: 16, color: COLORS.muted }, encoding: { text: { value: 'no samples in this period' }, x: { value: CHART_SIZE.width / 2 }, y: { value: CHART_SIZE.height * (below ? 0.25 : 0.75) } } },
    );
  }

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: CHART_SIZE.width,
    height: CHART_SIZE.height,
    background: 'white',
    padding: 12,
    title: { text: truncate(oneLine(input.title), 90), subtitle: truncate(`${series} on ${oneLine(input.host)} · fires when ${input.op} ${formatNumber(input.limit)} · times in UTC`, 110), anchor: 'start' },
    data: { values: rows },
    layer: layers,
    config: { font: 'DejaVu Sans', view: { stroke: '#dddddd' }, axis: { labelFontSize: 11, titleFontSize: 11, gridColor: '#eeeeee' }, title: { fontSize: 14, subtitleColor: COLORS.muted } },
  };
}

function levelLabel(text: string, y: Record<string, unknown>, color: string, below: boolean): Record<string, unknown> {
  return {
    data: { values: [{}] },
    mark: { type: 'text', align: 'right', dx: -4, dy: below ? 11 : -7, color, fontSize: 11, fontWeight: 'bold' },
    encoding: { text: { value: text }, x: { value: CHART_SIZE.width }, y },
  };
}
