import { TABLE_MESSAGE_MAX } from '../fleet/format.js';
import { truncate } from '../mail/format.js';
import { csvLines, textTable, type OutputFormat } from '../query/format.js';
import type { EventRecord } from '../store/event-store.js';
import { formatUtc, formatUtcExact } from '../text/time.js';

/** What a table shows for an event that concerns no host in particular. */
export const FLEET_HOST = '*';

const TABLE = ['time', 'host', 'kind', 'severity', 'what'] as const;
const CSV = ['time', 'host', 'kind', 'severity', 'text', 'details'] as const;

/** One event as `metrix events --json` prints it and `GET /api/v1/events` sends it: the time twice, as UTC text and as ms. */
export function eventJson(e: EventRecord) {
  return { id: e.id, time: formatUtcExact(e.ts), ts: e.ts, host: e.host ?? null, kind: e.kind, severity: e.severity, text: e.text, details: e.details };
}

/**
 * Events as `metrix events` prints them, oldest first. The text was escaped when stored; a
 * table cuts it as `metrix hosts` cuts its messages, CSV and JSON carry it whole.
 */
export function formatEvents(events: readonly EventRecord[], format: OutputFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(events.map(eventJson), null, 2)}\n`;
    case 'csv':
      return csvLines([[...CSV], ...events.map((e) => [formatUtcExact(e.ts), e.host ?? '', e.kind, e.severity, e.text, JSON.stringify(e.details)])]);
    case 'table':
      return textTable(TABLE, events.map((e) => [formatUtc(e.ts), e.host ?? FLEET_HOST, e.kind, e.severity, truncate(e.text, TABLE_MESSAGE_MAX)]));
  }
}
