import { Resvg } from '@resvg/resvg-js';
import { logger, None, parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { chartSpec } from './chart-spec.js';
import type { ChartInput } from './message.js';

/** Pixels per SVG unit in the PNG: sharp on high-density screens, still small (~40 kB). */
const SCALE = 2;

/** The SVG of one alert's chart, rendered headless by vega (no browser, no canvas). */
export async function renderChartSvg(input: ChartInput): Promise<string> {
  // Quiet: vega's warnings would land in cron's mail; a broken spec still throws.
  const vegaSpec = compile(chartSpec(input) as unknown as TopLevelSpec, { logger: logger(None) }).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none', logLevel: None });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * One alert's chart as PNG: the samples over the recent past, the limit as a red line, the
 * clear level dashed, time in UTC. Works for zero samples (says so on the chart).
 */
export async function renderChart(input: ChartInput): Promise<Buffer> {
  const svg = await renderChartSvg(input);
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: SCALE },
    // DejaVu ships with most Linux distributions (Debian: fonts-dejavu-core); resvg falls back to any system font.
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  });
  return resvg.render().asPng();
}
