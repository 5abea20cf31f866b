import type { Point } from '../alerts/types.js';
import type { CompareOp } from '../config/types.js';
import type { Labels } from '../metrics/labels.js';

export interface MailAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
  /** Set for an image the HTML shows inline as `cid:<contentId>`; without angle brackets. */
  readonly contentId?: string;
}

/**
 * A message ready to send or write, built once: SMTP and the .eml file carry the same
 * content, and a retry of the same notification carries the same Message-ID and Date.
 */
export interface MailMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachments: readonly MailAttachment[];
  /** With angle brackets: `<id@metrix>`. */
  readonly messageId: string;
  /** The Date header, ms. */
  readonly date: number;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ChartInput {
  readonly title: string;
  readonly metric: string;
  readonly host: string;
  readonly labels: Labels;
  /** Oldest first. */
  readonly points: readonly Point[];
  readonly limit: number;
  /** The hysteresis level, drawn dashed when given. */
  readonly clear?: number;
  readonly op: CompareOp;
  /** Right edge of the time axis, ms. */
  readonly now: number;
  readonly unit?: string;
}

export type ChartRenderer = (input: ChartInput) => Promise<Buffer>;

/** The Message-ID for a notification id; characters outside atext are escaped, so ids stay distinct. */
export function messageIdFor(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, (ch) => `=${ch.codePointAt(0)?.toString(16).toUpperCase() ?? ''}`);
  return `<${safe}@metrix>`;
}

/** Headers every metrix message carries: it is machine-made, so auto-responders stay quiet (RFC 3834). */
export function automatedHeaders(kind: string): Record<string, string> {
  return { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Metrix': kind };
}
