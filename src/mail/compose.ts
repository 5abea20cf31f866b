import type { AlertView, Notification } from '../alerts/types.js';
import { errorMessage } from '../errors.js';
import { sortAlerts } from './alert-order.js';
import { samplesCsv } from './csv.js';
import { fileStamp, oneLine, safeName, truncate } from './format.js';
import { renderHtml } from './html-body.js';
import { renderText, type BodyAlert, type MailBody } from './mail-body.js';
import { automatedHeaders, messageIdFor, type ChartRenderer, type MailAttachment, type MailMessage } from './message.js';
import { composeSubject } from './subject.js';

/** At most this many charts per mail: a rack-wide incident still makes a mail of sensible size. */
export const MAX_CHARTS = 10;

export interface ComposeOptions {
  readonly from: string;
  readonly chart: ChartRenderer;
}

/**
 * The mail for one notification. Deterministic for a given notification and renderer: the
 * Message-ID comes from `notification.id` and the Date from `createdAt`, so a retry is the
 * same message. A chart that fails to draw is named in the body; it never stops the mail.
 */
export async function composeAlertMail(notification: Notification, options: ComposeOptions): Promise<MailMessage> {
  const now = notification.createdAt;
  const stamp = fileStamp(now);
  const idPart = safeName(notification.id);
  const alerts = sortAlerts(notification.alerts);
  const attachments: MailAttachment[] = [];
  const bodyAlerts: BodyAlert[] = [];

  for (const [index, alert] of alerts.entries()) {
    if (index >= MAX_CHARTS) {
      bodyAlerts.push({ alert });
      continue;
    }
    const filename = `chart-${index + 1}-${safeName(alert.code)}.png`;
    const contentId = `chart-${index + 1}.${idPart}@metrix`;
    try {
      const content = await options.chart(chartInput(alert, now));
      attachments.push({ filename, contentType: 'image/png', content, contentId });
      bodyAlerts.push({ alert, chart: { filename, contentId } });
    } catch (err) {
      bodyAlerts.push({ alert, chartError: truncate(oneLine(errorMessage(err)), 200) });
    }
  }

  const hasSamples = alerts.some((a) => a.samples.length > 0);
  const csvFilename = hasSamples ? `metrix-samples-${stamp}.csv` : undefined;
  if (csvFilename) {
    attachments.push({ filename: csvFilename, contentType: 'text/csv; charset=utf-8', content: Buffer.from(samplesCsv(alerts), 'utf8') });
  }

  const body: MailBody = {
    subject: composeSubject(notification),
    now,
    hostsDown: [...notification.hostsDown].sort((a, b) => a.since - b.since || a.host.localeCompare(b.host)),
    alerts: bodyAlerts,
    charted: Math.min(alerts.length, MAX_CHARTS),
    csvFilename,
    events: notification.events ?? [],
  };
  return {
    from: options.from,
    to: notification.to,
    subject: body.subject,
    text: renderText(body),
    html: renderHtml(body),
    attachments,
    messageId: messageIdFor(notification.id),
    date: now,
    headers: { ...automatedHeaders('alert'), 'X-Metrix-Notification': truncate(oneLine(notification.id), 200) },
  };
}

function chartInput(alert: AlertView, now: number): Parameters<ChartRenderer>[0] {
  return {
    title: `${alert.rule} on ${alert.host}`,
    metric: alert.metric,
    host: alert.host,
    labels: alert.labels,
    points: alert.samples,
    limit: alert.limit,
    ...(alert.clear === undefined ? {} : { clear: alert.clear }),
    op: alert.op,
    now,
  };
}
