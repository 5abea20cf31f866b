import nacl from 'tweetnacl';
import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { HostKeyFile } from '../../client-script/src/protocol.js';
import { MetrixError } from '../errors.js';
import { boxKey } from './sealed.js';
import { assertPrivate, makePrivateDir, readPrivateJson, writePrivateFile, type KeyFileReader } from './key-files.js';

export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export interface HostKeys {
  /**
   * The file content `upload` places on the host, shared key included. Asked for the first
   * time, it brings the stored file up to date if that differs (written before the shared key
   * was, or naming the poller key of before `init --new-keys`), so what upload places is what
   * the keys directory holds.
   */
  readonly file: HostKeyFile;
  readonly path: string;
  readonly secretKey: Uint8Array;
  /**
   * The key this host's reports are opened with (see boxKey): a scalar multiplication in
   * JavaScript, ~1.5 ms, made on first use and then kept for as long as the store is. Always
   * made from the secret key, never read from the file: a wrong sharedKey in a file must
   * make reports fail to open, not be trusted.
   */
  readonly sharedKey: Uint8Array;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** The host key file exactly as stored in the keys directory and placed on the host. */
export const serializeHostKeyFile = (file: HostKeyFile): string => `${JSON.stringify(file, null, 2)}\n`;

const hostKeyFile = (host: string, secretKey: Uint8Array, pollerPublicKey: Uint8Array, sharedKey: Uint8Array): HostKeyFile =>
  ({ v: 1, host, secretKey: b64(secretKey), pollerPublicKey: b64(pollerPublicKey), sharedKey: b64(sharedKey) });

/** `stored` is the file as read (JSON), to tell whether it needs writing anew. */
function hostKeysOf(host: string, path: string, secretKey: Uint8Array, pollerPublicKey: Uint8Array, stored: unknown, shared?: Uint8Array): HostKeys {
  let file: HostKeyFile | undefined;
  const sharedKey = (): Uint8Array => (shared ??= boxKey(pollerPublicKey, secretKey));
  return {
    path,
    secretKey,
    get sharedKey(): Uint8Array {
      return sharedKey();
    },
    get file(): HostKeyFile {
      if (file === undefined) {
        file = hostKeyFile(host, secretKey, pollerPublicKey, sharedKey());
        if (JSON.stringify(stored) !== JSON.stringify(file)) writePrivateFile(path, serializeHostKeyFile(file));
      }
      return file;
    },
  };
}

export interface KeyStoreOptions {
  /** How key files are read; tests count calls. */
  readonly readKeyFile?: KeyFileReader;
}

const POLLER_KEY = 'poller.key';
const HOSTS_DIR = 'hosts';

function decodeKey(value: unknown, path: string, field: string): Uint8Array {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'base64') : undefined;
  if (!bytes || bytes.length !== nacl.box.secretKeyLength) {
    throw new MetrixError('KEYS', `key file ${path}: field "${field}" is not a ${nacl.box.secretKeyLength}-byte base64 key; restore the file from a backup`);
  }
  return new Uint8Array(bytes);
}

/**
 * The keys directory: one poller key pair, one key pair per host (hosts/NAME.key, the exact
 * file upload places on the host). Files are 0600 in 0700 directories; anything more open
 * is refused rather than used.
 */
export class KeyStore {
  /**
   * Host keys read so far: a run reads each host's file once, however often it asks. Hosts
   * without a file are not remembered, so an upload during a long-lived process is seen.
   */
  private readonly hosts = new Map<string, HostKeys>();

  private constructor(
    readonly dir: string,
    readonly poller: KeyPair,
    private readonly readKeyFile: KeyFileReader = readPrivateJson,
  ) {}

  /**
   * Opens the keys directory. A missing directory is created with a fresh poller key
   * (`created` says so); an existing directory without the poller key is an error, because
   * a silent new key would orphan every host already uploaded.
   */
  static open(dir: string, options: KeyStoreOptions = {}): { store: KeyStore; created: boolean } {
    const pollerPath = join(dir, POLLER_KEY);
    if (!existsSync(dir)) {
      const made = KeyStore.createWhole(dir);
      if (made) return { store: new KeyStore(dir, made, options.readKeyFile), created: true };
    }
    assertPrivate(dir, 'directory');
    const raw = readPrivateJson(pollerPath) as { secretKey?: unknown } | undefined;
    if (raw === undefined) {
      throw new MetrixError(
        'KEYS',
        `keys directory ${dir} exists but has no ${POLLER_KEY}; refusing to make a new one (hosts already uploaded could no longer be read). Restore ${pollerPath} from a backup, or run "metrix init --new-keys" and then "metrix upload" to every host`,
      );
    }
    const secretKey = decodeKey(raw.secretKey, pollerPath, 'secretKey');
    return { store: new KeyStore(dir, nacl.box.keyPair.fromSecretKey(secretKey), options.readKeyFile), created: false };
  }

  /**
   * Makes the keys directory whole (hosts/ and the poller key) under a name of its own, then
   * renames it into place: two first runs at once (cron and a hand-started execute) never see
   * a directory without its poller key. The pair made, or undefined when another process's
   * directory got there first (then that one is used).
   */
  private static createWhole(dir: string): KeyPair | undefined {
    const building = `${dir}.new-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      makePrivateDir(building);
      makePrivateDir(join(building, HOSTS_DIR));
      const pair = KeyStore.writePollerKey(join(building, POLLER_KEY));
      renameSync(building, dir);
      return pair;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      return undefined;
    } finally {
      rmSync(building, { recursive: true, force: true });
    }
  }

  /** Creates the directory and a poller key; an existing poller key is kept unless `replace`. */
  static init(dir: string, replace: boolean): { store: KeyStore; createdPollerKey: boolean } {
    makePrivateDir(dir);
    makePrivateDir(join(dir, HOSTS_DIR));
    const pollerPath = join(dir, POLLER_KEY);
    if (existsSync(pollerPath) && !replace) return { store: KeyStore.open(dir).store, createdPollerKey: false };
    return { store: new KeyStore(dir, KeyStore.writePollerKey(pollerPath, replace)), createdPollerKey: true };
  }

  private static writePollerKey(path: string, replace = false): KeyPair {
    const pair = nacl.box.keyPair();
    if (replace && existsSync(path)) writePrivateFile(`${path}.${Date.now()}.old`, JSON.stringify(readPrivateJson(path)));
    writePrivateFile(path, `${JSON.stringify({ v: 1, publicKey: b64(pair.publicKey), secretKey: b64(pair.secretKey) }, null, 2)}\n`);
    return pair;
  }

  hostKeyPath(host: string): string {
    return join(this.dir, HOSTS_DIR, `${host}.key`);
  }

  /** The host's keys, or undefined when none were made yet (the host was never uploaded). */
  hostKeys(host: string): HostKeys | undefined {
    const known = this.hosts.get(host);
    if (known) return known;
    const path = this.hostKeyPath(host);
    const raw = this.readKeyFile(path) as Partial<HostKeyFile> | undefined;
    if (raw === undefined) return undefined;
    const secretKey = decodeKey(raw.secretKey, path, 'secretKey');
    if (raw.host !== host) throw new MetrixError('KEYS', `key file ${path} belongs to host "${String(raw.host)}", not "${host}"`);
    const keys = hostKeysOf(host, path, secretKey, this.poller.publicKey, raw);
    this.hosts.set(host, keys);
    return keys;
  }

  /**
   * The host's keys, made now if it has none yet. Either way its key file is then up to date
   * on disk, where a local host's collector reads it.
   */
  ensureHostKeys(host: string): HostKeys {
    const existing = this.hostKeys(host);
    if (existing) {
      void existing.file; // asking for it writes a stale file anew
      return existing;
    }
    makePrivateDir(join(this.dir, HOSTS_DIR));
    const pair = nacl.box.keyPair();
    const shared = boxKey(this.poller.publicKey, pair.secretKey);
    const file = hostKeyFile(host, pair.secretKey, this.poller.publicKey, shared);
    const path = this.hostKeyPath(host);
    writePrivateFile(path, serializeHostKeyFile(file));
    const keys = hostKeysOf(host, path, pair.secretKey, this.poller.publicKey, file, shared);
    this.hosts.set(host, keys);
    return keys;
  }
}
