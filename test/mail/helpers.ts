import type { AlertView, HostDownView, Notification, Point } from '../../src/alerts/types.js';
import type { ChartInput, ChartRenderer } from '../../src/mail/message.js';

export const NOW = Date.UTC(2026, 10, 22, 4, 0, 0);
export const MINUTE = 60_000;

/** `count` samples one minute apart ending a minute before NOW, values from `valueAt`. */
export function minuteSeries(count: number, valueAt: (i: number) => number): Point[] {
  return Array.from({ length: count }, (_, i) => ({ ts: NOW - (count - i) * MINUTE, value: valueAt(i) }));
}

export function alertView(overrides: Partial<AlertView> = {}): AlertView {
  return {
    code: '2611-CPU-f4a',
    rule: 'high-cpu',
    metric: 'cpu_percent',
    host: 'f4',
    labels: {},
    op: '>',
    limit: 90,
    value: 93.4,
    windowMs: 5 * MINUTE,
    severity: 'warning',
    state: 'firing',
    activeSince: NOW - 12 * MINUTE,
    reminder: false,
    samples: minuteSeries(30, (i) => 80 + i * 0.5 + (i % 3) * 0.125),
    ...overrides,
  };
}

export function hostDown(overrides: Partial<HostDownView> = {}): HostDownView {
  return { host: 'f7', since: NOW - 12 * MINUTE, reason: 'connect-timeout: no SSH handshake within 10s', ...overrides };
}

export function notification(overrides: Partial<Notification> = {}): Notification {
  return { id: 'n-20261122-0001', to: ['ops@example.org'], createdAt: NOW, alerts: [alertView()], hostsDown: [], ...overrides };
}

/** A chart renderer that records what it was asked to draw and returns a marker instead of a PNG. */
export function recordingChart(): { readonly render: ChartRenderer; readonly inputs: ChartInput[] } {
  const inputs: ChartInput[] = [];
  return {
    inputs,
    render: async (input) => {
      inputs.push(input);
      return Buffer.from(`chart:${input.host}:${input.metric}`);
    },
  };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR, or undefined when the bytes are not a PNG. */
export function pngSize(buf: Buffer): { width: number; height: number } | undefined {
  if (buf.length < 24 || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) return undefined;
  if (buf.subarray(12, 16).toString('latin1') !== 'IHDR') return undefined;
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** Hostile strings: newlines (header injection), markup, quotes, controls, bidi overrides. */
export const HOSTILE = {
  host: 'f4\r\nBcc: victim@example.org\r\n<script>alert(1)</script>',
  rule: 'high-cpu"><img src=x onerror=alert(1)>\nX-Injected: yes',
  label: '/mnt/<b>evil</b>\u0000\u202e"quoted",\u2028next',
  code: '2611-<script>-f4a',
  reason: 'unreachable\r\nSubject: fake <script>x</script>',
} as const;

/** A small RFC 4180 reader for checking attachments: quoted fields, doubled quotes, CRLF rows. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\r' && text[i + 1] === '\n') rows.push([...row, field]), (row = []), (field = ''), i++;
    else field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}
