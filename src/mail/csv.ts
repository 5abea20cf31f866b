import type { AlertView } from '../alerts/types.js';
import { formatLabels } from '../metrics/labels.js';
import { formatUtcMs } from '../text/time.js';

export const CSV_COLUMNS = ['code', 'host', 'metric', 'labels', 'time', 'value'] as const;

/** One RFC 4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The samples behind every alert of a mail, RFC 4180 with CRLF and a header row. Values are
 * written exactly (`String(number)` round-trips), time as UTC ISO with milliseconds.
 */
export function samplesCsv(alerts: readonly AlertView[]): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const alert of alerts) {
    const labels = formatLabels(sortedLabels(alert.labels));
    for (const point of alert.samples) {
      const fields = [alert.code, alert.host, alert.metric, labels, formatUtcMs(point.ts), String(point.value)];
      rows.push(fields.map(csvField).join(','));
    }
  }
  return `${rows.join('\r\n')}\r\n`;
}

function sortedLabels(labels: AlertView['labels']): Record<string, string> {
  return Object.fromEntries(Object.keys(labels).sort().map((key) => [key, labels[key] ?? '']));
}
