/**
 * A real SMTP server on 127.0.0.1 for tests (smtp-server): plain, STARTTLS or implicit TLS, with
 * optional AUTH PLAIN/LOGIN. It keeps what it receives, and can be told to defer, reject or
 * refuse on demand. Reusable by any test that sends mail (the outbox tests too).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export const LOCALHOST = '127.0.0.1';

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: Buffer;
  /** The login used, when the client authenticated. */
  readonly user: string | undefined;
  /** True when the message came over TLS (STARTTLS or implicit). */
  readonly secure: boolean;
}

/**
 * accept: store and 250; defer: 451 after DATA; reject: 550 after DATA;
 * refuse: 421 at connect, then close the connection.
 */
export type ServerMode = 'accept' | 'defer' | 'reject' | 'refuse';

export interface TestCertificate {
  readonly keyPath: string;
  readonly certPath: string;
  readonly key: Buffer;
  readonly cert: Buffer;
}

export interface TestSmtpServerOptions {
  readonly security?: 'none' | 'starttls' | 'tls';
  /** Needed for starttls and tls; with security "none" it makes the server offer STARTTLS. */
  readonly certificate?: TestCertificate;
  readonly auth?: { readonly user: string; readonly password: string };
  /** A fixed port, e.g. to start again where a stopped server was; a free one when not given. */
  readonly port?: number;
}

export interface TestSmtpServer {
  readonly host: string;
  readonly port: number;
  readonly received: ReceivedMail[];
  /** Connections that reached the server (including refused ones). */
  readonly connections: () => number;
  /** Recipients answered with 550 at RCPT TO (others are still accepted). */
  readonly refusedRecipients: Set<string>;
  mode: ServerMode;
  stop(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl into `dir`. */
export function makeCertificate(dir: string, name = 'server'): TestCertificate {
  const keyPath = join(dir, `${name}-key.pem`);
  const certPath = join(dir, `${name}-cert.pem`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: 'ignore' });
  return { keyPath, certPath, key: readFileSync(keyPath), cert: readFileSync(certPath) };
}

export async function startSmtpServer(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
  const security = options.security ?? 'none';
  if (security !== 'none' && !options.certificate) throw new Error(`security "${security}" needs a certificate`);
  const received: ReceivedMail[] = [];
  let connections = 0;
  const state = { mode: 'accept' as ServerMode };
  const refusedRecipients = new Set<string>();
  const auth = options.auth;

  const server = new SMTPServer({
    secure: security === 'tls',
    ...(options.certificate ? { key: options.certificate.key, cert: options.certificate.cert } : {}),
    disabledCommands: [...(options.certificate ? [] : ['STARTTLS']), ...(auth ? [] : ['AUTH'])],
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: !auth,
    allowInsecureAuth: security === 'none',
    logger: false,
    onConnect(_session, callback) {
      connections += 1;
      if (state.mode !== 'refuse') return callback();
      callback(Object.assign(new Error('test server refuses connections'), { responseCode: 421 }));
    },
    onAuth(login, _session, callback) {
      if (auth && login.username === auth.user && login.password === auth.password) return callback(null, { user: login.username });
      callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      if (!refusedRecipients.has(address.address)) return callback();
      callback(Object.assign(new Error(`no such user ${address.address}`), { responseCode: 550 }));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (state.mode === 'defer') return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
        if (state.mode === 'reject') return callback(Object.assign(new Error('message refused by policy'), { responseCode: 550 }));
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          user: typeof session.user === 'string' ? session.user : undefined,
          secure: session.secure,
        });
        callback(null, 'queued as test');
      });
    },
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.on('error', reject);
    const netServer = server.listen(options.port ?? 0, LOCALHOST, () => {
      const address = netServer.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error('smtp-server did not report its port'));
    });
  });

  return {
    host: LOCALHOST,
    port,
    received,
    connections: () => connections,
    refusedRecipients,
    get mode() {
      return state.mode;
    },
    set mode(mode: ServerMode) {
      state.mode = mode;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A TCP server that accepts connections and then stalls: it says nothing at all, or only
 * `greeting` (then no answer to anything). It never closes its side, even when the client
 * half-closes (allowHalfOpen): a client that only calls end() stays connected for ever.
 */
export async function startSilentServer(
  greeting?: string,
  options: { readonly trickle?: boolean } = {},
): Promise<{ readonly port: number; readonly connections: () => number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let connections = 0;
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (greeting !== undefined) socket.write(`${greeting}\r\n`);
    // trickle: answer the first command with a reply that never ends, a line every 200 ms,
    // so the connection is never idle and only a deadline on the whole session ends it.
    if (options.trickle) {
      socket.once('data', () => {
        const timer = setInterval(() => !socket.destroyed && socket.write('250-still thinking\r\n'), 200);
        timers.add(timer);
        socket.on('close', () => (clearInterval(timer), timers.delete(timer)));
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, LOCALHOST, resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('silent server has no port');
  return {
    port: address.port,
    connections: () => connections,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, LOCALHOST, resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

export function parseMail(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
}
