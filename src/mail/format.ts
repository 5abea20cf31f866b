import type { AlertView } from '../alerts/types.js';
import type { Labels } from '../metrics/labels.js';
import { UNSAFE_CHAR_CLASS } from '../text/escape.js';
import { formatUtc } from '../text/time.js';

// None of these may reach a subject line, a text line or an HTML attribute.
const UNSAFE_CHARS = new RegExp(`${UNSAFE_CHAR_CLASS}+`, 'g');

/** Any untrusted string (host, label, rule) as one safe line: controls become spaces. */
export function oneLine(text: string): string {
  return text.replace(UNSAFE_CHARS, ' ').replace(/ {2,}/g, ' ').trim();
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Cuts a line to `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A value as people read it: 93.4, 0.052, 1250000; never more digits than help. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) >= 1) return String(Number(value.toFixed(1)));
  return String(Number(value.toPrecision(2)));
}

export { formatUtc } from '../text/time.js';

/** `45s`, `12m`, `1h 5m`, `2d 3h`: the two largest units. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const units: ReadonlyArray<readonly [string, number]> = [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]];
  const index = units.findIndex(([, size]) => seconds >= size);
  const big = units[index];
  if (!big) return '0s';
  const count = Math.floor(seconds / big[1]);
  const next = units[index + 1];
  const rest = next ? Math.floor((seconds - count * big[1]) / next[1]) : 0;
  return next && rest > 0 ? `${count}${big[0]} ${rest}${next[0]}` : `${count}${big[0]}`;
}

/** `disk_used_percent{mount=/}`, or the bare metric when there are no labels; one safe line. */
export function seriesName(metric: string, labels: Labels): string {
  const keys = Object.keys(labels).sort();
  const inner = keys.map((key) => `${key}=${labels[key] ?? ''}`).join(',');
  return oneLine(inner === '' ? metric : `${metric}{${inner}}`);
}

/** What the decision was made on: `average over 5m` or `last sample`. */
export function valueBasis(alert: AlertView): string {
  return alert.windowMs > 0 ? `average over ${formatDuration(alert.windowMs)}` : 'last sample';
}

/** `93.4 > 90` while firing; `71.2 (fires when > 90)` once resolved. */
export function valueAgainstLimit(alert: AlertView): string {
  const value = formatNumber(alert.value);
  const limit = formatNumber(alert.limit);
  return alert.state === 'firing' ? `${value} ${alert.op} ${limit}` : `${value} (fires when ${alert.op} ${limit})`;
}

/** `since 2026-11-22T03:48:00Z (for 12m)` or, resolved, `from ... to ... (12m)`. */
export function describeSince(alert: AlertView, now: number): string {
  if (alert.state === 'resolved' && alert.resolvedAt !== undefined) {
    return `from ${formatUtc(alert.activeSince)} to ${formatUtc(alert.resolvedAt)} (${formatDuration(alert.resolvedAt - alert.activeSince)})`;
  }
  return `since ${formatUtc(alert.activeSince)} (for ${formatDuration(now - alert.activeSince)})`;
}

/** `FIRING`, `FIRING (reminder)` or `RESOLVED`. */
export function stateLabel(alert: AlertView): string {
  if (alert.state === 'resolved') return 'RESOLVED';
  return alert.reminder ? 'FIRING (reminder)' : 'FIRING';
}

/** `20261122T040000Z`: sorts by time, safe in a file name. */
export function fileStamp(ms: number): string {
  return formatUtc(ms).replace(/[-:]/g, '');
}

/** A string safe as (part of) a file name or content id. */
export function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_').slice(0, 80) || '_';
}
