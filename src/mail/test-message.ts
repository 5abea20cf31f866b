import { escapeHtml, formatUtc } from './format.js';
import { automatedHeaders, messageIdFor, type MailMessage } from './message.js';

/** The message `metrix mail test` sends: says when and from where, nothing else. */
export function composeTestMail(from: string, to: readonly string[], now: number): MailMessage {
  const when = formatUtc(now);
  const text = [
    `This is a test message from metrix, sent at ${when}.`,
    '',
    'If you can read it, metrix can deliver alert mail to this address.',
    'Nothing needs to be done.',
    '',
  ].join('\n');
  const html = [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><title>metrix test mail</title></head>',
    '<body style="font-family:DejaVu Sans,Helvetica,Arial,sans-serif;font-size:14px">',
    `<p>This is a test message from metrix, sent at ${escapeHtml(when)}.</p>`,
    '<p>If you can read it, metrix can deliver alert mail to this address. Nothing needs to be done.</p>',
    '</body></html>',
    '',
  ].join('\n');
  return {
    from,
    to,
    subject: `metrix test mail (${when})`,
    text,
    html,
    attachments: [],
    messageId: messageIdFor(`test-${now}`),
    date: now,
    headers: automatedHeaders('test'),
  };
}
