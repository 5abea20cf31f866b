import type { AlertView, HostDownView, HostEventsView } from '../alerts/types.js';
import { eventsText } from './events-section.js';
import { describeSince, formatDuration, formatUtc, oneLine, seriesName, stateLabel, valueAgainstLimit, valueBasis } from './format.js';

/** Everything the text and HTML parts say, decided once so both say the same. */
export interface MailBody {
  readonly subject: string;
  readonly now: number;
  readonly hostsDown: readonly HostDownView[];
  readonly alerts: readonly BodyAlert[];
  /** Alerts that have a chart, and all alerts: the body says so when charts were capped. */
  readonly charted: number;
  readonly csvFilename: string | undefined;
  /** Recent events of the hosts in this mail (events-section.ts). */
  readonly events?: readonly HostEventsView[];
}

export interface BodyAlert {
  readonly alert: AlertView;
  readonly chart?: { readonly filename: string; readonly contentId: string };
  /** Why the chart is missing, when drawing it failed. */
  readonly chartError?: string;
}

/** One alert as label/value rows, all one-line strings (untrusted parts made safe, not yet HTML-escaped). */
export function alertRows(alert: AlertView, now: number): Array<readonly [string, string]> {
  return [
    ['metric', seriesName(alert.metric, alert.labels)],
    ['host', oneLine(alert.host)],
    ['value', `${valueBasis(alert)}: ${valueAgainstLimit(alert)}`],
    [alert.state === 'resolved' ? 'active' : 'since', describeSince(alert, now).replace(/^since /, '')],
    ['severity', alert.severity],
    ['code', oneLine(alert.code)],
    ...detailRows(alert),
  ];
}

/** A check's output line or a log's matching lines: the label on the first row only. */
function detailRows(alert: AlertView): Array<readonly [string, string]> {
  const lines = alert.detail?.lines ?? [];
  return lines.map((line, i) => [i === 0 ? alert.detail!.label : '', oneLine(line)] as const);
}

/** `FIRING high-cpu on f4`. */
export function alertHeading(alert: AlertView): string {
  return `${stateLabel(alert)}  ${oneLine(alert.rule)} on ${oneLine(alert.host)}`;
}

/** `f4 is down since ... (for 12m): connect-timeout: ...; its other alerts are held back`. */
export function hostDownLine(down: HostDownView, now: number): string {
  return `${oneLine(down.host)} is down since ${formatUtc(down.since)} (for ${formatDuration(now - down.since)}): ${oneLine(down.reason)}; its other alerts are held back until it answers again`;
}

/** Closing notes: capped charts and the CSV attachment. */
export function footerNotes(body: MailBody): string[] {
  const notes: string[] = [];
  if (body.charted < body.alerts.length) {
    notes.push(`Charts are attached for the first ${body.charted} of ${body.alerts.length} alerts; the CSV has the samples of all of them.`);
  }
  if (body.csvFilename) notes.push(`The samples behind these decisions are attached as ${body.csvFilename}.`);
  return notes;
}

/** The plain-text part: hosts down first, then one block per alert, then the notes. */
export function renderText(body: MailBody): string {
  const lines: string[] = [body.subject, ''];
  for (const down of body.hostsDown) {
    lines.push(`HOST DOWN  ${hostDownLine(down, body.now)}`, '');
  }
  for (const { alert, chart, chartError } of body.alerts) {
    lines.push(alertHeading(alert));
    for (const [label, value] of alertRows(alert, body.now)) lines.push(`  ${(label === '' ? '' : `${label}:`).padEnd(10)}${value}`);
    if (chart) lines.push(`  ${'chart:'.padEnd(10)}${chart.filename}`);
    if (chartError) lines.push(`  ${'chart:'.padEnd(10)}could not be drawn (${chartError})`);
    lines.push('');
  }
  lines.push(...eventsText(body.events ?? []));
  lines.push(...footerNotes(body), '', '-- ', `metrix, ${formatUtc(body.now)}`);
  return `${lines.join('\n')}\n`;
}
