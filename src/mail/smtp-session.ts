import { connect, type Socket } from 'node:net';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';

/** Step and session deadlines, ms. */
export interface SessionTimeouts {
  /** DNS, TCP connect, and for implicit TLS the handshake too. */
  readonly connectionMs: number;
  /** From connected to the server's 220 greeting. */
  readonly greetingMs: number;
  /** Longest silence on an open connection (each reply). */
  readonly socketMs: number;
  /** The whole session, however the server trickles its answers. */
  readonly sessionMs: number;
}

export interface SessionOptions {
  readonly host: string;
  readonly port: number;
  /** SMTPConnection's TLS, STARTTLS and identity options (socket, auth and timeouts are set here). */
  readonly smtp: SMTPConnection.Options;
  /** When set, the session must log in: a server that offers no AUTH is an error, not a silent skip. */
  readonly login: { readonly user: string; readonly pass: string } | undefined;
  readonly timeouts: SessionTimeouts;
}

/** What a session does once connected (and logged in): nothing more (verify) or send one message. */
export type SessionWork = { readonly kind: 'verify' } | { readonly kind: 'send'; readonly envelope: { from: string; to: string[] }; readonly raw: Buffer };

export type SessionOutcome = { readonly kind: 'verified' } | { readonly kind: 'sent'; readonly info: SMTPConnection.SentMessageInfo };

/** An error shaped like nodemailer's (code, responseCode), so one classifier reads both. */
export const sessionError = (message: string, code: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error(message), { code, ...extra });

/** The reply a server without AUTH gives to it; the classifier turns it into an `auth` failure. */
export const AUTH_NOT_OFFERED = 'server did not offer AUTH on this port';

/**
 * One SMTP session on a socket metrix opens and owns. nodemailer speaks the protocol, but
 * when a server stops answering it only half-closes (socket.end()): a server that never
 * closes its side then keeps the process alive for ever. Here every path, success, error
 * or the session deadline, ends in destroying the socket, and every timer is cleared.
 */
export function runSmtpSession(options: SessionOptions, work: SessionWork): Promise<SessionOutcome> {
  const { timeouts } = options;
  const sockets: Socket[] = [];
  const timers: NodeJS.Timeout[] = [];
  let connection: SMTPConnection | undefined;
  const release = (): void => {
    timers.forEach(clearTimeout);
    connection?.close();
    // After STARTTLS or implicit TLS, nodemailer's socket is a TLS socket on top of ours.
    if (connection?._socket) sockets.push(connection._socket);
    for (const socket of sockets) socket.destroy();
  };
  const session = new Promise<SessionOutcome>((resolve, reject) => {
    let done = false;
    const finish = (error: Error | undefined, outcome?: SessionOutcome): void => {
      if (done) return;
      done = true;
      release();
      if (error) reject(error);
      else resolve(outcome!);
    };
    const after = (ms: number, error: () => Error): NodeJS.Timeout => {
      const timer = setTimeout(() => finish(error()), ms);
      timers.push(timer);
      return timer;
    };
    after(timeouts.sessionMs, () => sessionError('Session timeout', 'ETIMEDOUT'));

    const socket = connect({ host: options.host, port: options.port });
    sockets.push(socket);
    const connecting = after(timeouts.connectionMs, () => sessionError('Connection timeout', 'ETIMEDOUT'));
    const refused = (err: Error): void => finish(err);
    socket.once('error', refused);
    socket.once('connect', () => {
      clearTimeout(connecting);
      socket.removeListener('error', refused);
      connection = new SMTPConnection({
        ...options.smtp,
        host: options.host,
        port: options.port,
        connection: socket,
        connectionTimeout: timeouts.connectionMs,
        greetingTimeout: timeouts.greetingMs,
        socketTimeout: timeouts.socketMs,
        logger: false,
        debug: false,
      });
      speak(connection, options.login, work).then((outcome) => finish(undefined, outcome), finish);
    });
  });
  return session;
}

/** The dialogue itself, as promises; any error event of the connection rejects the step in progress. */
async function speak(connection: SMTPConnection, login: SessionOptions['login'], work: SessionWork): Promise<SessionOutcome> {
  const broken = new Promise<never>((_, reject) => {
    // Kept for the connection's life: an 'error' event without a listener would throw.
    connection.on('error', reject);
    connection.once('end', () => reject(sessionError('Connection closed unexpectedly', 'ECONNECTION')));
  });
  const step = <T>(run: (done: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> =>
    Promise.race([broken, new Promise<T>((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value as T))))]);

  await step<void>((done) => connection.connect((err) => done(err)));
  if (login) {
    // nodemailer skips login silently when AUTH is not advertised; with a user set, that would send unauthenticated.
    if (!(connection as SMTPConnection & { allowsAuth?: boolean }).allowsAuth) throw sessionError(AUTH_NOT_OFFERED, 'EAUTH', { authNotOffered: true });
    await step<void>((done) => connection.login({ user: login.user, pass: login.pass }, (err) => done(err)));
  }
  if (work.kind === 'verify') return { kind: 'verified' };
  const info = await step<SMTPConnection.SentMessageInfo>((done) => connection.send(work.envelope, work.raw, (err, sent) => done(err, sent)));
  return { kind: 'sent', info };
}
