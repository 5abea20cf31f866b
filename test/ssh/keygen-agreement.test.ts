import { mkdtempSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf, keyTypeOf, knownHostsLine, knownHostsName } from '../../src/ssh/fingerprint.js';
import { checkHostKey } from '../../src/ssh/host-key-check.js';
import { hashHostName } from '../../src/ssh/host-pattern.js';
import { entryMatches, parseKnownHosts } from '../../src/ssh/known-hosts.js';
import { generateKey, hashKnownHosts, keygenFind, keygenFingerprint, type KeyPair } from '../farm/keys.js';

// Our known_hosts reading must agree with the real ssh-keygen on files it made itself.
let dir: string;
let keys: Record<'ed25519' | 'ecdsa' | 'rsa' | 'other', KeyPair>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'metrix-keygen-'));
  const [ed25519, ecdsa, rsa, other] = await Promise.all([
    generateKey(join(dir, 'ed25519'), 'ed25519'),
    generateKey(join(dir, 'ecdsa'), 'ecdsa'),
    generateKey(join(dir, 'rsa'), 'rsa'),
    generateKey(join(dir, 'other'), 'ed25519'),
  ]);
  keys = { ed25519, ecdsa, rsa, other };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fingerprints match ssh-keygen -lf', () => {
  it.each(['ed25519', 'ecdsa', 'rsa'] as const)('%s', async (type) => {
    const key = keys[type];
    expect(fingerprintOf(key.blob)).toBe(await keygenFingerprint(`${key.path}.pub`));
    expect(keyTypeOf(key.blob)).toBe(key.sshType);
  });
});

describe('known_hosts agreement with ssh-keygen -F and -H', () => {
  const NAMES = ['f4', '10.0.0.4', '[10.0.0.4]:2222', '[f5]:2200', 'f5', 'node07.example.org', 'gpu1', 'nowhere'];

  async function writeSample(): Promise<string> {
    const path = join(dir, `known_hosts_${Math.random().toString(36).slice(2)}`);
    const { ed25519, ecdsa, rsa, other } = keys;
    const text = [
      '# several keys per host, lists, ports, patterns, markers',
      `f4,10.0.0.4 ${ed25519.sshType} ${ed25519.blob.toString('base64')}`,
      `f4 ${ecdsa.sshType} ${ecdsa.blob.toString('base64')} comment`,
      `f4 ${rsa.sshType} ${rsa.blob.toString('base64')}`,
      '',
      `[10.0.0.4]:2222,[f5]:2200 ${other.sshType} ${other.blob.toString('base64')}`,
      `*.example.org,!bad.example.org ${ecdsa.sshType} ${ecdsa.blob.toString('base64')}`,
      `gpu? ${rsa.sshType} ${rsa.blob.toString('base64')}`,
      `@revoked f5 ${other.sshType} ${other.blob.toString('base64')}`,
      `@cert-authority *.example.org ${ed25519.sshType} ${ed25519.blob.toString('base64')}`,
    ].join('\n');
    await writeFile(path, `${text}\n`);
    return path;
  }

  const ourLines = (text: string, name: string): number[] =>
    parseKnownHosts(text).entries.filter((e) => entryMatches(e, name)).map((e) => e.line);

  it.each(NAMES)('plain file: the lines for %s are the ones ssh-keygen -F finds', async (name) => {
    const path = await writeSample();
    expect(ourLines(await readFile(path, 'utf8'), name)).toEqual(await keygenFind(path, name));
  });

  it('hashed by ssh-keygen -H: the same hosts match, on the same keys', async () => {
    const path = await writeSample();
    await hashKnownHosts(path);
    const text = await readFile(path, 'utf8');
    expect(text).toMatch(/^\|1\|/m);
    expect(text).not.toMatch(/^f4[ ,]/m);
    const { entries, invalid } = parseKnownHosts(text);
    expect(invalid).toEqual([]);
    for (const name of ['f4', '10.0.0.4', '[10.0.0.4]:2222', '[f5]:2200']) {
      expect(ourLines(text, name), name).toEqual(await keygenFind(path, name));
    }
    const [host, port] = ['10.0.0.4', 2222];
    expect(checkHostKey(entries, host, port, keys.other.sshType, keys.other.blob).status).toBe('match');
    expect(checkHostKey(entries, 'f4', 22, keys.rsa.sshType, keys.rsa.blob).status).toBe('match');
    expect(checkHostKey(entries, 'f4', 22, keys.other.sshType, keys.other.blob).status).toBe('changed');
  });

  it('ssh-keygen -F finds the hashed lines we write, and the plain lines we print', async () => {
    const path = join(dir, 'ours');
    await writeFile(
      path,
      [
        `${hashHostName('[127.0.0.1]:2222')} ${keys.ed25519.sshType} ${keys.ed25519.blob.toString('base64')}`,
        knownHostsLine('10.0.0.9', 22, keys.ecdsa.blob),
        knownHostsLine('10.0.0.9', 2200, keys.rsa.blob),
        '',
      ].join('\n'),
    );
    expect(await keygenFind(path, '[127.0.0.1]:2222')).toEqual([1]);
    expect(await keygenFind(path, knownHostsName('10.0.0.9', 22))).toEqual([2]);
    expect(await keygenFind(path, knownHostsName('10.0.0.9', 2200))).toEqual([3]);
  });
});
