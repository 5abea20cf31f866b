import { formatLabels, type Labels } from '../metrics/labels.js';
import { escapeControl } from '../text/escape.js';
import { formatUtc, formatUtcExact } from '../text/time.js';

export type OutputFormat = 'table' | 'csv' | 'json';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'csv', 'json'];

export interface Row {
  readonly host: string;
  readonly metric: string;
  readonly labels: Labels;
  readonly ts: number;
  readonly value: number;
  /** Where the value comes from (raw, 5m, 1h); JSON carries it, table and CSV leave it to a note. */
  readonly tier?: string;
}

const iso = formatUtcExact;
/** Tables are read by people: whole seconds. CSV and JSON keep the milliseconds. */
const isoSeconds = formatUtc;

/** RFC 4180: quote a field holding a comma, quote or line break; double the quotes inside. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLines(rows: ReadonlyArray<readonly string[]>): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/** Columns padded to their widest cell; numbers right-aligned. Cells may hold host or user text: control characters are escaped. */
export function textTable(header: readonly string[], rawRows: ReadonlyArray<readonly string[]>, numeric: ReadonlySet<number> = new Set()): string {
  const rows = rawRows.map((row) => row.map(escapeControl));
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].map((text) => `${text}\n`).join('');
}

const HEADER = ['time', 'host', 'metric', 'labels', 'value'];

export function formatRows(rows: readonly Row[], format: OutputFormat): string {
  const time = format === 'table' ? isoSeconds : iso;
  const cells = rows.map((row) => [time(row.ts), row.host, row.metric, formatLabels(row.labels), String(row.value)]);
  switch (format) {
    case 'csv':
      return csvLines([HEADER, ...cells]);
    case 'json':
      return `${JSON.stringify(
        rows.map((row) => ({ time: iso(row.ts), ts: row.ts, host: row.host, metric: row.metric, labels: row.labels, value: row.value, ...(row.tier ? { tier: row.tier } : {}) })),
        null,
        2,
      )}\n`;
    case 'table':
      return textTable(HEADER, cells, new Set([4]));
  }
}
