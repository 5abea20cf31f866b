import type { Duplex } from 'node:stream';
import ssh2, { type ClientChannel, type ParsedKey, type ServerHostKeyAlgorithm, type SFTPWrapper } from 'ssh2';

// The one module that imports ssh2; everything else in metrix goes through these wrappers.
export type { ClientChannel as RemoteChannel, SFTPWrapper as SftpSession };
export type PrivateKey = ParsedKey;

export interface ExitStatus {
  /** Null when the command was killed by a signal. */
  readonly code: number | null;
  readonly signal: string | undefined;
}

/** A command started by exec: its channel, and its exit status as soon as the server sent it. */
export interface RemoteProcess {
  readonly channel: ClientChannel;
  /** Undefined until the server sends exit-status or exit-signal (and if it never does). */
  exitStatus(): ExitStatus | undefined;
}

export type ParsedPrivateKey =
  | { readonly ok: true; readonly key: PrivateKey }
  | { readonly ok: false; readonly needsPassphrase: boolean; readonly message: string };

/** Parses an OpenSSH/PEM private key; `needsPassphrase` when it is encrypted and none was given. */
export function parsePrivateKey(data: Buffer, passphrase?: string): ParsedPrivateKey {
  const key = ssh2.utils.parseKey(data, passphrase);
  if (key instanceof Error) {
    return { ok: false, needsPassphrase: /no passphrase given/i.test(key.message), message: key.message };
  }
  if (!key.isPrivateKey()) return { ok: false, needsPassphrase: false, message: 'not a private key' };
  return { ok: true, key };
}

export type ClientAuth = { readonly type: 'key'; readonly key: PrivateKey } | { readonly type: 'agent'; readonly socket: string };

export interface DialOptions {
  readonly address: string;
  readonly port: number;
  readonly username: string;
  /** An already open stream to the server (a tunnel through a jump host) instead of TCP. */
  readonly sock?: Duplex;
  readonly readyTimeoutMs: number;
  readonly hostKeyAlgorithms: readonly string[];
  readonly verifyHostKey: (blob: Buffer) => Promise<boolean>;
  readonly auth: readonly ClientAuth[];
  /** Aborting it gives up the dial at once (the run is stopping). */
  readonly signal?: AbortSignal;
}

export type DialFailureKind = 'unreachable' | 'timeout' | 'host-key' | 'auth' | 'lost';
export type DialOutcome =
  | { readonly ok: true; readonly connection: SshConnection }
  | { readonly ok: false; readonly kind: DialFailureKind; readonly detail: string };

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
// ssh2's own readyTimeout covers TCP connect + handshake + auth; this margin only backs it up.
const GUARD_MARGIN_MS = 1000;
// Finds a dead connection kept between runs (`metrix run`) without waiting for TCP to notice.
const KEEPALIVE_INTERVAL_MS = 15_000;
const KEEPALIVE_COUNT_MAX = 3;

/** Opens one SSH connection. Always settles; on failure the client is destroyed. */
export function dial(options: DialOptions): Promise<DialOutcome> {
  return new Promise((resolve) => {
    const client = new ssh2.Client();
    let hostKeyRefused = false;
    let settled = false;
    const finish = (outcome: DialOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      options.signal?.removeEventListener('abort', abandon);
      if (!outcome.ok) client.destroy();
      resolve(outcome);
    };
    const failWith = (kind: DialFailureKind, detail: string): void => finish({ ok: false, kind, detail });
    function abandon(): void {
      failWith('lost', 'abandoned: the run is stopping');
    }
    const guard = setTimeout(() => failWith('timeout', 'timed out while waiting for handshake'), options.readyTimeoutMs + GUARD_MARGIN_MS);
    client.on('ready', () => finish({ ok: true, connection: new SshConnection(client) }));
    if (options.signal?.aborted) queueMicrotask(abandon);
    options.signal?.addEventListener('abort', abandon, { once: true });
    client.on('error', (err: Ssh2Error) => failWith(hostKeyRefused ? 'host-key' : classify(err), detailOf(err)));
    client.on('close', () => failWith('lost', 'connection closed by the server during handshake'));
    const verifyHostKey = (key: Buffer, verify: (valid: boolean) => void): void => {
      const decide = (accepted: boolean): void => {
        hostKeyRefused = !accepted;
        verify(accepted);
      };
      options.verifyHostKey(key).then(decide, () => decide(false));
    };
    try {
      client.connect({
        host: options.address,
        port: options.port,
        username: options.username,
        ...(options.sock ? { sock: options.sock } : {}),
        readyTimeout: options.readyTimeoutMs,
        keepaliveInterval: KEEPALIVE_INTERVAL_MS,
        keepaliveCountMax: KEEPALIVE_COUNT_MAX,
        algorithms: { serverHostKey: options.hostKeyAlgorithms as ServerHostKeyAlgorithm[] },
        hostVerifier: verifyHostKey,
        authHandler: options.auth.map((auth) =>
          auth.type === 'key'
            ? { type: 'publickey' as const, username: options.username, key: auth.key }
            : { type: 'agent' as const, username: options.username, agent: auth.socket },
        ),
      });
    } catch (err) {
      failWith('lost', err instanceof Error ? err.message : String(err));
    }
  });
}

type Ssh2Error = Error & { level?: string; code?: string };

const detailOf = (err: Ssh2Error): string =>
  err.code && !err.message.includes(err.code) ? `${err.message} (${err.code})` : err.message;

function recordExit(channel: ClientChannel): RemoteProcess {
  let status: ExitStatus | undefined;
  const record = (code: unknown, signal: unknown): void => {
    if (status !== undefined || (typeof code !== 'number' && typeof signal !== 'string')) return;
    status = { code: typeof code === 'number' ? code : null, signal: typeof signal === 'string' ? signal : undefined };
  };
  // ssh2 passes the status to `close` too (as child_process does): a second chance.
  channel.on('exit', record);
  channel.on('close', record);
  return { channel, exitStatus: () => status };
}

function classify(err: Ssh2Error): DialFailureKind {
  if (err.level === 'client-authentication') return 'auth';
  if (err.level === 'client-timeout' || err.code === 'ETIMEDOUT') return 'timeout';
  if (err.level === 'client-dns' || (err.code !== undefined && UNREACHABLE.has(err.code))) return 'unreachable';
  return 'lost';
}

/** An authenticated connection: run commands, open tunnels and SFTP sessions, close. */
export class SshConnection {
  #closed = false;
  #lastError: string | undefined;
  // One ssh2 listener for every command's watcher: many commands on one connection would
  // otherwise pass EventEmitter's leak warning threshold.
  readonly #closeListeners = new Set<() => void>();

  constructor(private readonly client: InstanceType<typeof ssh2.Client>) {
    client.on('error', (err: Error) => (this.#lastError = err.message));
    client.on('close', () => {
      this.#closed = true;
      for (const listener of [...this.#closeListeners]) listener();
      this.#closeListeners.clear();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Calls `listener` once when the connection goes away; returns a function that unsubscribes. */
  onClose(listener: (reason: string) => void): () => void {
    const handler = (): void => listener(this.#lastError ?? 'connection closed');
    if (this.#closed) queueMicrotask(handler);
    else this.#closeListeners.add(handler);
    return () => this.#closeListeners.delete(handler);
  }

  /**
   * Starts a command. Its exit status is recorded from inside ssh2's callback: ssh2 emits
   * `exit` while parsing the packet after the exec reply, often in the same read, before a
   * listener attached once this promise resolves would exist.
   */
  exec(command: string): Promise<RemoteProcess> {
    return this.#open<RemoteProcess>((cb) =>
      this.client.exec(command, (err, channel) => (err ? cb(err, undefined as never) : cb(undefined, recordExit(channel)))),
    );
  }

  forwardOut(address: string, port: number): Promise<ClientChannel> {
    return this.#open((cb) => this.client.forwardOut('127.0.0.1', 0, address, port, cb));
  }

  sftp(): Promise<SFTPWrapper> {
    return this.#open((cb) => this.client.sftp(cb));
  }

  /** Ends politely, then destroys the socket if the server has not closed within `graceMs`. */
  close(graceMs: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.client.destroy();
        resolve();
      }, graceMs);
      this.client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.client.end();
    });
  }

  destroy(): void {
    this.client.destroy();
  }

  #open<T>(start: (cb: (err: Error | undefined, value: T) => void) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      try {
        start((err, value) => (err ? reject(err) : resolve(value)));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }
}
