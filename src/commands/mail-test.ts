import { loadConfig } from '../config/load.js';
import type { Io } from '../cli/io.js';
import { composeTestMail } from '../mail/test-message.js';
import { createMailer } from '../mail/transport.js';
import { mailPassword } from '../notify/after-run.js';
import { escapeControl } from '../text/escape.js';

export interface MailTestOptions {
  readonly config: string;
  readonly to?: string;
}

/** `metrix mail test`: checks the transport (connect, TLS, login), then sends a test message. Exit 0 sent, 1 not. */
export async function mailTest(options: MailTestOptions, io: Io): Promise<number> {
  const config = loadConfig(options.config);
  const to = options.to ? options.to.split(',').map((a) => a.trim()).filter(Boolean) : config.mail.to;
  const mailer = createMailer(config.mail, { password: mailPassword(config, io.env) });
  try {
    io.out(`checking ${mailer.description}\n`);
    const verified = await mailer.verify();
    if (!verified.ok) {
      io.err(`metrix: mail test failed (${verified.kind}): ${escapeControl(verified.message)}\n`);
      return 1;
    }
    io.out(`  ${escapeControl(verified.detail)}\n`);
    const sent = await mailer.send(composeTestMail(config.mail.from, to, io.clock()));
    if (!sent.ok) {
      io.err(`metrix: test message not sent (${sent.kind}): ${escapeControl(sent.message)}\n`);
      return 1;
    }
    io.out(`test message sent to ${to.join(', ')}: ${escapeControl(sent.detail)}\n`);
    if (sent.rejected.length > 0) io.err(`metrix: the server refused these recipients: ${escapeControl(sent.rejected.join(', '))}\n`);
    return sent.rejected.length > 0 ? 1 : 0;
  } finally {
    mailer.close();
  }
}
