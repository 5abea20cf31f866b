import nacl from 'tweetnacl';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPrivateJson } from '../../src/crypto/key-files.js';
import { KeyStore } from '../../src/crypto/key-store.js';
import { boxKey } from '../../src/crypto/sealed.js';
import { tempDir } from '../helpers/tmp.js';

/** A KeyStore over `dir` whose key file reads are counted by path. */
function counted(dir: string): { store: KeyStore; reads: () => Record<string, number> } {
  const reads: Record<string, number> = {};
  const store = KeyStore.open(dir, {
    readKeyFile: (path) => {
      const name = path.slice(dir.length + 1);
      reads[name] = (reads[name] ?? 0) + 1;
      return readPrivateJson(path);
    },
  }).store;
  return { store, reads: () => reads };
}

describe('host keys on the poll path', () => {
  it('reads each host key file once per KeyStore, however often it is asked', () => {
    const dir = join(tempDir(), 'keys');
    const made = KeyStore.open(dir).store;
    for (const host of ['f1', 'f2']) made.ensureHostKeys(host);

    const { store, reads } = counted(dir);
    for (let i = 0; i < 3; i++) for (const host of ['f1', 'f2']) expect(store.hostKeys(host)?.file.host).toBe(host);
    store.ensureHostKeys('f1');
    expect(reads()).toEqual({ 'hosts/f1.key': 1, 'hosts/f2.key': 1 });
  });

  it('asks again for a host that had no key, so an upload meanwhile is seen', () => {
    const dir = join(tempDir(), 'keys');
    const { store, reads } = counted(dir);
    expect(store.hostKeys('f3')).toBeUndefined();
    expect(store.hostKeys('f3')).toBeUndefined();
    KeyStore.open(dir).store.ensureHostKeys('f3');
    expect(store.hostKeys('f3')?.file.host).toBe('f3');
    expect(reads()).toEqual({ 'hosts/f3.key': 3 });
  });

  it('still refuses a host key file open to others', () => {
    const dir = join(tempDir(), 'keys');
    KeyStore.open(dir).store.ensureHostKeys('f4');
    chmodSync(join(dir, 'hosts', 'f4.key'), 0o604);
    expect(() => counted(dir).store.hostKeys('f4')).toThrow(/f4.key is open to group or others \(mode 0604\)/);
  });

  it("opens reports with a shared key made once per host from its secret key and the poller's public key", () => {
    const dir = join(tempDir(), 'keys');
    const store = KeyStore.open(dir).store;
    const keys = KeyStore.open(dir).store.ensureHostKeys('f5') && store.hostKeys('f5')!;
    const hostPublic = nacl.box.keyPair.fromSecretKey(keys.secretKey).publicKey;
    expect(Buffer.from(keys.sharedKey)).toEqual(Buffer.from(boxKey(hostPublic, store.poller.secretKey)));
    expect(keys.sharedKey).toBe(store.hostKeys('f5')!.sharedKey);
  });
});
