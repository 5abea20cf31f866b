/**
 * What can go wrong sending mail, as values. `retryable` says whether the same send may succeed
 * later with nothing changed on our side (a server down, a 4xx); a non-retryable failure needs a
 * human (wrong password, untrusted certificate, a 5xx rejection). The outbox retries retryable
 * ones with backoff; a permanent refusal of the message itself is given up at once; a permanent
 * failure of the server (auth, TLS, config) is still retried, because a sysadmin fixing the
 * config is exactly what makes it succeed.
 */
export type MailFailureKind = 'dns' | 'connection' | 'tls' | 'auth' | 'rejected' | 'config' | 'other';

export interface MailFailure {
  readonly ok: false;
  readonly kind: MailFailureKind;
  readonly retryable: boolean;
  /** What a sysadmin can act on: "SMTP auth failed for user metrix at smtp.example.org:587: 535 ...". */
  readonly message: string;
}

export interface SendOk {
  readonly ok: true;
  readonly messageId: string;
  /** `accepted by smtp.example.org:587: 250 OK` or `written to /var/metrix/outbox/....eml`. */
  readonly detail: string;
  /** Recipients the server refused while it accepted others. */
  readonly rejected: readonly string[];
}

export type SendResult = SendOk | MailFailure;

export interface VerifyOk {
  readonly ok: true;
  readonly detail: string;
}

export type VerifyResult = VerifyOk | MailFailure;

export const mailFailure = (kind: MailFailureKind, retryable: boolean, message: string): MailFailure => ({ ok: false, kind, retryable, message });

/** The server and settings a failure happened with, for messages that name them. */
export interface SmtpTarget {
  readonly host: string;
  readonly port: number;
  readonly security: 'none' | 'starttls' | 'tls';
  readonly user: string | undefined;
  readonly caFile: string | undefined;
  /** Timeouts in force, ms, so a timeout message can say how long was waited. */
  readonly timeouts?: { readonly connectionMs: number; readonly greetingMs: number; readonly socketMs: number; readonly sessionMs?: number };
}

/** The fields of a nodemailer error we read; anything else thrown is treated as unknown. */
export interface SmtpErrorLike {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly response?: unknown;
  readonly responseCode?: unknown;
  readonly command?: unknown;
  /** Set by the SMTP session when a login is required and the server offered no AUTH. */
  readonly authNotOffered?: unknown;
}

// nodemailer keeps the original error object but replaces its code with its own (ESOCKET,
// ETLS...), so certificate and DNS problems are recognised from the message text as well.
const CERT_TEXT = /self[- ]signed|unable to (verify|get local issuer)|certificate|altnames|CERT_/i;
const TLS_TEXT = /\b(tls|ssl)\b|wrong version number|handshake|packet length too long/i;
const DNS_TEXT = /ENOTFOUND|EAI_AGAIN|EAI_NONAME|getaddrinfo/;
const TIMEOUT_TEXT = /greeting never received|timeout|ETIMEDOUT/i;

/** Turns whatever nodemailer threw into a MailFailure with a message naming the server and the fix. */
export function classifySmtpError(error: unknown, target: SmtpTarget): MailFailure {
  const err: SmtpErrorLike = typeof error === 'object' && error !== null ? (error as SmtpErrorLike) : { message: String(error) };
  const code = typeof err.code === 'string' ? err.code : '';
  const message = typeof err.message === 'string' ? err.message : String(error);
  const response = typeof err.response === 'string' ? err.response.trim() : '';
  const responseCode = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const server = `${target.host}:${target.port}`;
  const temporary = responseCode !== undefined && responseCode >= 400 && responseCode < 500;
  const reply = response || message;

  if (code === 'EDNS' || DNS_TEXT.test(message)) {
    return mailFailure('dns', true, `cannot resolve ${target.host} (${firstLine(message)}): check host= in <mail> and the DNS resolver`);
  }
  if (code === 'EAUTH' && err.authNotOffered === true) {
    return mailFailure(
      'auth',
      false,
      `SMTP ${server}: server did not offer AUTH on this port; refusing to send unauthenticated while user is set (user="${target.user ?? ''}"; ` +
        'many servers offer AUTH only after STARTTLS or only on port 587: check port= and security= in <mail>)',
    );
  }
  if (code === 'EAUTH') {
    if (/missing credentials/i.test(message)) return mailFailure('config', false, `SMTP server ${server} wants a login: set user= and passwordEnv= in <mail>`);
    return mailFailure('auth', temporary, `SMTP auth failed for user ${target.user ?? '(none)'} at ${server}: ${firstLine(reply)}`);
  }
  if (code === 'EENVELOPE' || code === 'EMESSAGE' || code === 'EREQUIRETLS') {
    if (responseCode === undefined && /no recipients|invalid (sender|recipient)/i.test(message)) {
      return mailFailure('config', false, `bad address: ${firstLine(message)}; check from= and to= in <mail>`);
    }
    return mailFailure('rejected', temporary, `${server} rejected the message${typeof err.command === 'string' ? ` at ${err.command}` : ''}: ${firstLine(reply)}`);
  }
  if (CERT_TEXT.test(message)) return certificateFailure(message, target);
  if (/STARTTLS/.test(message) && !/^Error initiating TLS/.test(message)) {
    return mailFailure('tls', false, `${server} does not offer STARTTLS (${firstLine(reply)}); use security="tls" for port 465, or security="none" only on a trusted network`);
  }
  if (code === 'ETLS' || TLS_TEXT.test(message)) {
    return mailFailure('tls', false, `TLS with ${server} failed: ${firstLine(message)}; check security= in <mail> (port 465 speaks "tls", 587 "starttls", 25 often "none")`);
  }
  if (responseCode === 421 || code === 'EPROTOCOL') {
    return mailFailure('connection', true, `${server} is not taking mail right now: ${firstLine(reply)}`);
  }
  if (/ECONNREFUSED/.test(message)) return mailFailure('connection', true, `connection refused by ${server}: is the SMTP server running, and is port= in <mail> right?`);
  if (TIMEOUT_TEXT.test(message) || code === 'ETIMEDOUT') return timeoutFailure(message, target);
  if (code === 'ECONNECTION' || code === 'ESOCKET' || /ECONNRESET|EHOSTUNREACH|ENETUNREACH|EPIPE|closed/i.test(message)) {
    return mailFailure('connection', true, `connection to ${server} failed: ${firstLine(reply)}`);
  }
  return mailFailure('other', true, `sending through ${server} failed: ${firstLine(reply)}${code ? ` (${code})` : ''}`);
}

function timeoutFailure(message: string, target: SmtpTarget): MailFailure {
  const server = `${target.host}:${target.port}`;
  const within = (ms: number | undefined): string => (ms === undefined ? '' : ` within ${formatSeconds(ms)}`);
  if (/greeting/i.test(message)) {
    return mailFailure('connection', true, `${server} accepted the connection but sent no SMTP greeting${within(target.timeouts?.greetingMs)}; is port= in <mail> an SMTP port?`);
  }
  if (/session timeout/i.test(message)) {
    return mailFailure('connection', true, `${server} answers too slowly: no complete SMTP session${within(target.timeouts?.sessionMs)}; gave up the connection`);
  }
  if (/connection timeout/i.test(message)) {
    return mailFailure('connection', true, `no answer from ${server}${within(target.timeouts?.connectionMs)}; is the host up, or is a firewall dropping packets?`);
  }
  const silence = target.timeouts ? formatSeconds(target.timeouts.socketMs) : 'too long';
  return mailFailure('connection', true, `${server} went silent for ${silence} in the middle of the session (${firstLine(message)})`);
}

const formatSeconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))}s`;

function certificateFailure(message: string, target: SmtpTarget): MailFailure {
  const server = `${target.host}:${target.port}`;
  const detail = firstLine(message.replace(/^Error initiating TLS - /, ''));
  if (/altnames|hostname/i.test(message)) {
    return mailFailure('tls', false, `TLS: the certificate of ${server} is not for "${target.host}" (${detail}); set host= in <mail> to a name the certificate lists`);
  }
  if (/expired|not yet valid/i.test(message)) {
    return mailFailure('tls', false, `TLS: the certificate of ${server} is out of date (${detail}); the mail server's certificate needs renewing`);
  }
  const hint = target.caFile
    ? `it is not signed by the CA in caFile="${target.caFile}"; check that file holds the CA that signed the server's certificate`
    : 'set caFile="/path/to/ca.pem" in <mail> to the CA (or the self-signed certificate) the server uses';
  return mailFailure('tls', false, `TLS: certificate of ${server} not trusted (${detail}); ${hint}`);
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
