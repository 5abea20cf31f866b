import { chmodSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyStore } from '../../src/crypto/key-store.js';
import { tempDir } from '../helpers/tmp.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

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
