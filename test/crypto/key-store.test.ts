import nacl from 'tweetnacl';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostKeyFile } from '../../client-script/src/protocol.js';
import { KeyStore, serializeHostKeyFile } from '../../src/crypto/key-store.js';
import { tempDir } from '../helpers/tmp.js';

const mode = (path: string): number => statSync(path).mode & 0o777;
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

describe('KeyStore', () => {
  it('creates a missing keys directory 0700 with a poller key 0600, and says so', () => {
    const dir = join(tempDir(), 'keys');
    const { store, created } = KeyStore.open(dir);
    expect(created).toBe(true);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'poller.key'))).toBe(0o600);
    const again = KeyStore.open(dir);
    expect(again.created).toBe(false);
    expect(Buffer.from(again.store.poller.publicKey)).toEqual(Buffer.from(store.poller.publicKey));
  });

  it('first runs at once (cron and one by hand) all open the one poller key, none finds a directory without it', async () => {
    const parent = tempDir();
    const dir = join(parent, 'keys');
    const script = `import { KeyStore } from ${JSON.stringify(new URL('../../dist/src/crypto/key-store.js', import.meta.url).href)};
      const { store } = KeyStore.open(process.argv[1]);
      process.stdout.write(Buffer.from(store.poller.publicKey).toString('base64'));`;
    const open = (): Promise<string> =>
      new Promise((resolve, reject) => {
        execFile(process.execPath, ['--input-type=module', '-e', script, dir], { timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(stdout)));
      });
    const keys = await Promise.all(Array.from({ length: 8 }, open));
    const onDisk = JSON.parse(readFileSync(join(dir, 'poller.key'), 'utf8')) as { publicKey: string };
    expect(new Set(keys)).toEqual(new Set([onDisk.publicKey]));
    expect(readdirSync(parent)).toEqual(['keys']);
    expect(mode(dir)).toBe(0o700);
  });

  it('refuses a keys directory without the poller key instead of making a new one', () => {
    const dir = join(tempDir(), 'keys');
    KeyStore.open(dir);
    unlinkSync(join(dir, 'poller.key'));
    expect(() => KeyStore.open(dir)).toThrow(/exists but has no poller.key; refusing to make a new one/);
  });

  it.each([
    ['a directory open to others', (dir: string) => chmodSync(dir, 0o755), /directory .* is open to group or others \(mode 0755\).*chmod 700/],
    ['a poller key readable by group', (dir: string) => chmodSync(join(dir, 'poller.key'), 0o640), /poller.key is open to group or others \(mode 0640\).*chmod 600/],
    ['a host key readable by others', (dir: string) => chmodSync(join(dir, 'hosts', 'f4.key'), 0o644), /f4.key is open to group or others/],
    ['a corrupt poller key', (dir: string) => writeFileSync(join(dir, 'poller.key'), '{"secretKey":"abc"}', { mode: 0o600 }), /not a 32-byte base64 key/],
    ['a poller key that is not JSON', (dir: string) => writeFileSync(join(dir, 'poller.key'), 'garbage', { mode: 0o600 }), /not valid JSON/],
  ])('refuses %s', (_name, spoil, message) => {
    const dir = join(tempDir(), 'keys');
    KeyStore.open(dir).store.ensureHostKeys('f4');
    spoil(dir);
    expect(() => KeyStore.open(dir).store.hostKeys('f4')).toThrow(message);
  });

  it('makes one key pair per host, 0600, naming the host and the poller key', () => {
    const dir = join(tempDir(), 'keys');
    const { store } = KeyStore.open(dir);
    expect(store.hostKeys('f4')).toBeUndefined();
    const made = store.ensureHostKeys('f4');
    expect(mode(made.path)).toBe(0o600);
    expect(JSON.parse(readFileSync(made.path, 'utf8'))).toMatchObject({ v: 1, host: 'f4', pollerPublicKey: Buffer.from(store.poller.publicKey).toString('base64') });
    expect(Buffer.from(KeyStore.open(dir).store.hostKeys('f4')!.sharedKey)).toEqual(Buffer.from(made.sharedKey));
    expect(Buffer.from(store.ensureHostKeys('f5').sharedKey)).not.toEqual(Buffer.from(made.sharedKey));
  });

  it("writes the shared key into the host's file: the box key of its secret key and the poller's public key", () => {
    const dir = join(tempDir(), 'keys');
    const { store } = KeyStore.open(dir);
    const made = store.ensureHostKeys('f4');
    const onDisk = JSON.parse(readFileSync(made.path, 'utf8')) as HostKeyFile;
    const hostPublic = nacl.box.keyPair.fromSecretKey(made.secretKey).publicKey;
    expect(onDisk.sharedKey).toBe(b64(nacl.box.before(hostPublic, store.poller.secretKey)));
    expect(made.file).toEqual(onDisk);
    expect(readFileSync(made.path, 'utf8')).toBe(serializeHostKeyFile(made.file));
    expect(mode(made.path)).toBe(0o600);
  });

  it.each([
    ['without a shared key, as metrix wrote it before', (file: HostKeyFile) => ({ v: 1, host: file.host, secretKey: file.secretKey, pollerPublicKey: file.pollerPublicKey })],
    ['with a shared key that does not match its keys', (file: HostKeyFile) => ({ ...file, sharedKey: b64(nacl.randomBytes(32)) })],
    ['with a malformed shared key', (file: HostKeyFile) => ({ ...file, sharedKey: 'abc' })],
    ['naming the poller key of before init --new-keys', (file: HostKeyFile) => ({ ...file, pollerPublicKey: b64(nacl.randomBytes(32)) })],
  ])('writes a host file %s anew when its content is asked for, so upload places a new one', (_name, spoil) => {
    const dir = join(tempDir(), 'keys');
    const good = KeyStore.open(dir).store.ensureHostKeys('f4');
    const current = readFileSync(good.path, 'utf8');
    const stale = serializeHostKeyFile(spoil(good.file) as HostKeyFile);
    writeFileSync(good.path, stale, { mode: 0o600 });

    const store = KeyStore.open(dir).store;
    const keys = store.hostKeys('f4')!;
    // The poll path opens reports with a key made from the secret key, and writes nothing.
    expect(b64(keys.sharedKey)).toBe(good.file.sharedKey);
    expect(readFileSync(good.path, 'utf8')).toBe(stale);
    expect(serializeHostKeyFile(keys.file)).toBe(current);
    expect(readFileSync(good.path, 'utf8')).toBe(current);
    expect(mode(good.path)).toBe(0o600);
  });

  it("brings a stale host file up to date in ensureHostKeys too: a local host's collector reads it from the keys directory", () => {
    const dir = join(tempDir(), 'keys');
    const good = KeyStore.open(dir).store.ensureHostKeys('f4');
    const current = readFileSync(good.path, 'utf8');
    const { sharedKey: _dropped, ...old } = good.file;
    writeFileSync(good.path, serializeHostKeyFile(old), { mode: 0o600 });
    KeyStore.open(dir).store.ensureHostKeys('f4');
    expect(readFileSync(good.path, 'utf8')).toBe(current);
    expect(mode(good.path)).toBe(0o600);
  });

  it('leaves a host file that is up to date alone', () => {
    const dir = join(tempDir(), 'keys');
    const path = KeyStore.open(dir).store.ensureHostKeys('f4').path;
    const before = statSync(path);
    expect(KeyStore.open(dir).store.ensureHostKeys('f4').file.host).toBe('f4');
    // Written anew means renamed into place: another inode.
    expect(statSync(path).ino).toBe(before.ino);
  });

  it('refuses a host key file that names another host', () => {
    const dir = join(tempDir(), 'keys');
    const { store } = KeyStore.open(dir);
    const f4 = store.ensureHostKeys('f4');
    mkdirSync(join(dir, 'hosts'), { recursive: true });
    writeFileSync(store.hostKeyPath('f5'), readFileSync(f4.path), { mode: 0o600 });
    expect(() => store.hostKeys('f5')).toThrow(/belongs to host "f4", not "f5"/);
  });

  it('init keeps an existing poller key unless asked to replace it', () => {
    const dir = join(tempDir(), 'keys');
    const first = KeyStore.init(dir, false);
    expect(first.createdPollerKey).toBe(true);
    const kept = KeyStore.init(dir, false);
    expect(kept.createdPollerKey).toBe(false);
    expect(Buffer.from(kept.store.poller.secretKey)).toEqual(Buffer.from(first.store.poller.secretKey));
    const replaced = KeyStore.init(dir, true);
    expect(Buffer.from(replaced.store.poller.secretKey)).not.toEqual(Buffer.from(first.store.poller.secretKey));
  });
});
