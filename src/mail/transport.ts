import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { MailConfig } from '../config/types.js';
import { errorMessage } from '../errors.js';
import { checkWritableDir, emlFileName, fileFailure, writeEmlFile } from './eml-files.js';
import { classifySmtpError, mailFailure, type MailFailure, type SendResult, type SmtpTarget, type VerifyResult } from './failure.js';
import type { MailMessage } from './message.js';
import { runSmtpSession, type SessionOptions, type SessionTimeouts } from './smtp-session.js';

export type MailerTimeouts = SessionTimeouts;

/**
 * The deadlines for one `timeout=` of <mail>: connecting and the greeting get that long, a
 * silence later in the session twice as long, a whole message (connect to accepted) four times.
 */
export function mailTimeouts(timeoutMs: number): MailerTimeouts {
  return { connectionMs: timeoutMs, greetingMs: timeoutMs, socketMs: 2 * timeoutMs, sessionMs: 4 * timeoutMs };
}

/** Sends (or writes) messages; never throws for a failed send: the failure is a value. */
export interface Mailer {
  /** `smtp://smtp.example.org:587 (starttls, user metrix)` or `files in /var/metrix/outbox`. */
  readonly description: string;
  send(message: MailMessage): Promise<SendResult>;
  /** Sends bytes built earlier by buildRawMessage (the outbox keeps those): every retry is byte-identical. */
  sendRaw(message: RawMessage): Promise<SendResult>;
  /** For `metrix mail test`: SMTP connects (and logs in); files: the directory is writable. */
  verify(): Promise<VerifyResult>;
  close(): void;
}

export interface RawMessage {
  /** The RFC 5322 message, CRLF line ends, exactly as sent or written. */
  readonly raw: Buffer;
  /** SMTP MAIL FROM and RCPT TO: bare addresses. */
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  /** With angle brackets, as in the message's header. */
  readonly messageId: string;
  /** The Date header, ms; names the .eml file. */
  readonly date: number;
}

/**
 * The mail transport for the config. `secrets.password` is the password itself, looked up
 * by the caller from the variable `passwordEnv` names (nothing here reads the environment).
 */
export function createMailer(mail: MailConfig, secrets: { readonly password: string | undefined }, options: { readonly timeouts?: Partial<MailerTimeouts> } = {}): Mailer {
  if (mail.transport === 'file') return createFileMailer(mail.dir);
  return createSmtpMailer(mail, secrets.password, { ...mailTimeouts(mail.timeoutMs), ...options.timeouts });
}

/** Builds the message once with nodemailer; the SMTP and file transports both carry these bytes. */
export async function buildRawMessage(message: MailMessage): Promise<RawMessage> {
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const info = await builder.sendMail(toNodemailer(message));
  const raw = info.message;
  if (!Buffer.isBuffer(raw)) throw new Error('nodemailer returned no message buffer');
  return { raw, envelope: { from: info.envelope.from || message.from, to: info.envelope.to }, messageId: message.messageId, date: message.date };
}

/** Builds, then sends; a message that cannot be built is a failure value too (it never will be). */
async function buildThen(message: MailMessage, sendRaw: (raw: RawMessage) => Promise<SendResult>): Promise<SendResult> {
  let raw: RawMessage;
  try {
    raw = await buildRawMessage(message);
  } catch (err) {
    return mailFailure('other', false, `cannot build the message ${message.messageId}: ${errorMessage(err)}`);
  }
  return sendRaw(raw);
}

// `newline` is a message option nodemailer's typings leave out: CRLF everywhere, as RFC 5322 wants.
function toNodemailer(message: MailMessage): Mail.Options & { readonly newline: 'windows' } {
  return {
    newline: 'windows',
    from: message.from,
    to: [...message.to],
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    date: new Date(message.date),
    headers: { ...message.headers },
    attachments: message.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType, ...(a.contentId ? { cid: a.contentId } : {}) })),
    // Content is only ever in memory: never let a value make nodemailer read a file or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

function createFileMailer(dir: string): Mailer {
  const sendRaw = async (message: RawMessage): Promise<SendResult> => {
    try {
      const path = await writeEmlFile(dir, emlFileName(message.date, message.messageId), message.raw);
      return { ok: true, messageId: message.messageId, detail: `written to ${path}`, rejected: [] };
    } catch (err) {
      return fileFailure(err, dir);
    }
  };
  return {
    description: `files in ${dir}`,
    send: async (message) => buildThen(message, sendRaw),
    sendRaw,
    async verify() {
      try {
        await checkWritableDir(dir);
        return { ok: true, detail: `directory ${dir} is writable; mail is written there as .eml files` };
      } catch (err) {
        return fileFailure(err, dir);
      }
    },
    close() {},
  };
}

type SmtpMail = Extract<MailConfig, { transport: 'smtp' }>;

function createSmtpMailer(mail: SmtpMail, password: string | undefined, timeouts: MailerTimeouts): Mailer {
  const target: SmtpTarget = { host: mail.host, port: mail.port, security: mail.security, user: mail.user, caFile: mail.caFile, timeouts };
  const server = `${mail.host}:${mail.port}`;
  const description = `smtp://${server} (${mail.security}${mail.user ? `, user ${mail.user}` : ''})`;
  const setup = sessionOptions(mail, password, timeouts);
  if (!setup.ok) return { description, send: async () => setup, sendRaw: async () => setup, verify: async () => setup, close() {} };
  const sendRaw = async ({ raw, envelope, messageId }: RawMessage): Promise<SendResult> => {
    try {
      const outcome = await runSmtpSession(setup.options, { kind: 'send', envelope: { from: envelope.from, to: [...envelope.to] }, raw });
      const info = outcome.kind === 'sent' ? outcome.info : undefined;
      return { ok: true, messageId, detail: `accepted by ${server}: ${info?.response ?? ''}`, rejected: info?.rejected ?? [] };
    } catch (err) {
      return classifySmtpError(err, target);
    }
  };

  return {
    description,
    send: async (message) => buildThen(message, sendRaw),
    sendRaw,
    async verify() {
      try {
        await runSmtpSession(setup.options, { kind: 'verify' });
        return { ok: true, detail: `connected to ${server} (${mail.security})${mail.user ? `, logged in as ${mail.user}` : ''}` };
      } catch (err) {
        return classifySmtpError(err, target);
      }
    },
    // Every session closes its own socket: nothing outlives a send.
    close() {},
  };
}

type SmtpSetup = { readonly ok: true; readonly options: SessionOptions } | MailFailure;

/**
 * security="none" is plain SMTP and nothing else: STARTTLS is not tried even when offered
 * (ignoreTLS), so a relay with a broken certificate cannot fail a send the admin declared
 * plain. "starttls" insists on the upgrade (requireTLS); "tls" is TLS from the first byte.
 */
function sessionOptions(mail: SmtpMail, password: string | undefined, timeouts: MailerTimeouts): SmtpSetup {
  if (mail.host === '') return mailFailure('config', false, '<mail> transport="smtp" has no host=');
  if (mail.user !== undefined && password === undefined) {
    const variable = mail.passwordEnv ? `the environment variable ${mail.passwordEnv} is not set` : 'no passwordEnv= is given';
    return mailFailure('config', false, `SMTP user ${mail.user} at ${mail.host}:${mail.port} needs a password, but ${variable}`);
  }
  let ca: Buffer | undefined;
  if (mail.caFile !== undefined) {
    try {
      ca = readFileSync(mail.caFile);
    } catch (err) {
      return mailFailure('config', false, `cannot read caFile="${mail.caFile}" in <mail>: ${errorMessage(err)}`);
    }
  }
  return {
    ok: true,
    options: {
      host: mail.host,
      port: mail.port,
      login: mail.user === undefined ? undefined : { user: mail.user, pass: password ?? '' },
      timeouts,
      smtp: {
        secure: mail.security === 'tls',
        requireTLS: mail.security === 'starttls',
        ignoreTLS: mail.security === 'none',
        tls: { minVersion: 'TLSv1.2', ...(ca ? { ca } : {}), ...(isIP(mail.host) ? {} : { servername: mail.host }) },
      },
    },
  };
}
