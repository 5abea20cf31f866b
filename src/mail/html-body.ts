import type { AlertView } from '../alerts/types.js';
import { escapeHtml as esc, formatUtc, seriesName } from './format.js';
import { alertHeading, alertRows, footerNotes, hostDownLine, type BodyAlert, type MailBody } from './mail-body.js';
import { CHART_SIZE } from './chart-spec.js';
import { eventsHtml } from './events-section.js';

const COLORS = { critical: '#c62828', warning: '#ef6c00', info: '#1565c0', resolved: '#2e7d32', down: '#6a1b9a' } as const;
const FONT = 'font-family:DejaVu Sans,Helvetica,Arial,sans-serif';

/**
 * The HTML part, inline styles only (mail clients drop <style>). Every piece of text passes
 * through escapeHtml; the only markup is ours.
 */
export function renderHtml(body: MailBody): string {
  const parts: string[] = [
    '<!DOCTYPE html>',
    `<html><head><meta charset="utf-8"><title>${esc(body.subject)}</title></head>`,
    `<body style="${FONT};font-size:14px;color:#212121;margin:0;padding:16px">`,
    `<h2 style="margin:0 0 12px 0;font-size:18px">${esc(body.subject)}</h2>`,
  ];
  for (const down of body.hostsDown) {
    parts.push(block(COLORS.down, `<strong>HOST DOWN</strong> ${esc(hostDownLine(down, body.now))}`));
  }
  for (const item of body.alerts) parts.push(alertBlock(item, body.now));
  const events = eventsHtml(body.events ?? []);
  if (events) parts.push(events);
  for (const note of footerNotes(body)) parts.push(`<p style="color:#616161">${esc(note)}</p>`);
  parts.push(`<p style="color:#9e9e9e;font-size:12px">metrix, ${esc(formatUtc(body.now))}</p>`, '</body></html>');
  return `${parts.join('\n')}\n`;
}

function alertBlock({ alert, chart, chartError }: BodyAlert, now: number): string {
  const rows = alertRows(alert, now)
    .map(([label, value]) => `<tr><td style="color:#757575;padding:1px 12px 1px 0">${esc(label)}</td><td>${label === 'code' ? `<code>${esc(value)}</code>` : esc(value)}</td></tr>`)
    .join('');
  const image = chart
    ? `<div><img src="cid:${esc(chart.contentId)}" width="${CHART_SIZE.width + 80}" alt="${esc(`chart of ${seriesName(alert.metric, alert.labels)} on ${alert.host}`)}" style="max-width:100%;height:auto;margin-top:8px"></div>`
    : chartError
      ? `<p style="color:#757575">chart could not be drawn (${esc(chartError)})</p>`
      : '';
  return block(colorOf(alert), `<h3 style="margin:0 0 6px 0;font-size:15px">${esc(alertHeading(alert))}</h3><table style="border-collapse:collapse;font-size:14px">${rows}</table>${image}`);
}

function block(color: string, inner: string): string {
  return `<div style="border-left:4px solid ${color};padding:6px 12px;margin:0 0 16px 0">${inner}</div>`;
}

function colorOf(alert: AlertView): string {
  return alert.state === 'resolved' ? COLORS.resolved : COLORS[alert.severity];
}
