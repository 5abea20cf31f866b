import type { Config } from '../config/types.js';
import { formatDuration } from '../config/duration.js';
import { logLine, type Io } from '../cli/io.js';
import type { ChartInput } from '../mail/message.js';
import { composeAlertMail } from '../mail/compose.js';
import { buildRawMessage, createMailer } from '../mail/transport.js';
import type { RunRecord } from '../poll/records.js';
import type { Store } from '../store/store.js';
import { mailOkSample, POLLER_HOST, pollFailureSamples } from '../alerts/self-monitoring.js';
import { runAlerting } from './alerting.js';
import { flushOutbox } from './flush.js';

// vega, vega-lite and resvg take ~150 ms to load: only runs that draw a chart pay for them.
const renderChart = async (input: ChartInput): Promise<Buffer> => (await import('../mail/chart.js')).renderChart(input);

/** The SMTP password, from the variable the config names; the only place it is read. */
export function mailPassword(config: Config, env: Io['env']): string | undefined {
  return config.mail.transport === 'smtp' && config.mail.passwordEnv ? env[config.mail.passwordEnv] : undefined;
}

/**
 * After a run is stored: evaluate the rules, queue what must be said, and send the
 * outbox (this run's mail and anything earlier runs could not send).
 */
export async function alertAndNotify(config: Config, store: Store, run: RunRecord, io: Io, stop?: AbortSignal): Promise<void> {
  const now = io.clock();
  const failures = run.polls.flatMap((poll) => (poll.failure ? [poll.failure] : []));
  store.writeSamples(POLLER_HOST, now, pollFailureSamples(failures));
  const notices = await runAlerting({
    config,
    store,
    now,
    polls: run.polls,
    compose: async (notification) => {
      const message = await composeAlertMail(notification, { from: config.mail.from, chart: renderChart });
      const built = await buildRawMessage(message);
      return { messageId: message.messageId, sender: built.envelope.from, recipients: message.to, subject: message.subject, raw: built.raw };
    },
  });
  for (const { kind, alert, rule } of notices) {
    logLine(io, kind === 'resolved' ? 'INFO' : 'WARN', `alert ${alert.code} ${rule.name} ${kind}: ${rule.metric} is ${alert.value} (limit ${rule.op} ${rule.value})`, alert.host);
  }
  const mailer = createMailer(config.mail, { password: mailPassword(config, io.env) });
  try {
    const result = await flushOutbox(store.outbox, mailer, io.clock, config.mail.giveUpAfterMs, stop);
    for (const message of result.sent) logLine(io, 'INFO', `mail "${message.subject}" sent to ${message.recipients.join(', ')} (${mailer.description})`);
    for (const { message, failure } of result.failed) {
      logLine(io, 'ERROR', `mail "${message.subject}" not sent (${failure.kind}): ${failure.message}; it stays in the outbox and is retried on a later run`);
    }
    for (const { message, failure } of result.refused) {
      logLine(io, 'ERROR', `mail "${message.subject}" refused for good (${failure.kind}): ${failure.message}; given up, not retried (see the metrix-mail alert)`);
    }
    if (result.deferred > 0) logLine(io, 'WARN', `${result.deferred} more queued messages wait for ${stop?.aborted ? 'the next run' : 'the mail server to answer again'}`);
    // Whether mail works is known only when something was tried; otherwise it stays as last seen.
    // A message refused for good counts as broken mail: the metrix-mail alert tells the sysadmins.
    const attempted = result.sent.length + result.failed.length + result.refused.length > 0;
    const mailOk = attempted ? result.failed.length + result.refused.length === 0 : (store.lastValue(POLLER_HOST, 'metrix_mail_ok') ?? 1) === 1;
    store.writeSamples(POLLER_HOST, now, [mailOkSample(mailOk)]);
    for (const message of result.gaveUp) {
      logLine(io, 'ERROR', `mail "${message.subject}" given up: not sent within ${formatDuration(config.mail.giveUpAfterMs)} (giveUpAfter); last error: ${message.lastError ?? 'none'}`);
    }
  } finally {
    mailer.close();
  }
}
