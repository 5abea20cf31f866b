import type { HostEventsView } from '../alerts/types.js';
import { escapeHtml as esc, formatUtc, oneLine } from './format.js';

// The host's recent events in an alert mail (reboots, down and up, other alerts, silences):
// the context a sysadmin looks for first. Its own section, after the alerts.

const heading = (host: HostEventsView): string => `Recent events on ${oneLine(host.host)}`;

/** Text lines of the section, kinds in a column; none when there are no events. */
export function eventsText(hosts: readonly HostEventsView[]): string[] {
  return hosts.flatMap((host) => {
    const width = Math.max(...host.events.map((event) => event.kind.length));
    return [heading(host), ...host.events.map((event) => `  ${formatUtc(event.ts)}  ${event.kind.padEnd(width)}  ${oneLine(event.text)}`), ''];
  });
}

/** The section as HTML, every piece of text escaped; '' when there are no events. */
export function eventsHtml(hosts: readonly HostEventsView[]): string {
  return hosts
    .map((host) => {
      const rows = host.events
        .map(
          (event) =>
            `<tr><td style="color:#757575;padding:1px 12px 1px 0;white-space:nowrap;vertical-align:top">${esc(formatUtc(event.ts))}</td>` +
            `<td style="padding:1px 12px 1px 0;vertical-align:top">${esc(event.kind)}</td><td>${esc(oneLine(event.text))}</td></tr>`,
        )
        .join('');
      return `<div style="margin:0 0 16px 0"><h3 style="margin:0 0 6px 0;font-size:15px">${esc(heading(host))}</h3><table style="border-collapse:collapse;font-size:13px">${rows}</table></div>`;
    })
    .join('\n');
}
