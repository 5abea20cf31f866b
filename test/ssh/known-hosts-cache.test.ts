import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../src/config/types.js';
import { hashHostName } from '../../src/ssh/host-pattern.js';
import { KnownHostsCache } from '../../src/ssh/known-hosts-cache.js';
import { realDisk, type KnownHostsDisk } from '../../src/ssh/known-hosts-file.js';
import { hostsByName, SshTransport } from '../../src/ssh/ssh-transport.js';
import { startFarm, type Farm } from '../farm/farm.js';
import { sshdMissing } from '../farm/sshd.js';
import { noSecrets } from './helpers.js';

// Generous: these tests count file reads, not time, and other work may share the machine.
const LIMITS = { timeoutMs: 30_000, maxOutputBytes: 1024 };

const blob = (type: string, seed: string): Buffer => {
  const name = Buffer.from(type);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  return Buffer.concat([length, name, Buffer.from(seed)]);
};
const ED = blob('ssh-ed25519', 'key-a');
const line = (hosts: string, key = ED): string => `${hosts} ssh-ed25519 ${key.toString('base64')}`;

/** The real disk, counting what the cache asks of it. */
function countingDisk(inner: KnownHostsDisk = realDisk): KnownHostsDisk & { reads: string[]; sizes: number } {
  const disk = {
    reads: [] as string[],
    sizes: 0,
    read: (path: string) => {
      disk.reads.push(path);
      return inner.read(path);
    },
    size: (path: string) => {
      disk.sizes++;
      return inner.size(path);
    },
  };
  return disk;
}

/** A disk of strings, for the pure bookkeeping cases. */
function memoryDisk(files: Record<string, string>): KnownHostsDisk {
  return {
    read: async (path) => files[path],
    size: async (path) => (files[path] === undefined ? undefined : Buffer.byteLength(files[path])),
  };
}

describe('KnownHostsCache', () => {
  it('reads and parses a file once however many hosts look it up', async () => {
    const disk = countingDisk(memoryDisk({ '/kh': `${line(hashHostName('f4'))}\n${line('f5')}\n` }));
    const cache = new KnownHostsCache(disk);
    const views = await Promise.all(Array.from({ length: 50 }, () => cache.load('/kh')));
    expect(disk.reads).toEqual(['/kh']);
    expect(new Set(views).size).toBe(1);
    expect(views[0]!.entriesFor('f4').map((e) => e.line)).toEqual([1]);
    expect(views[0]!.entriesFor('f5').map((e) => e.line)).toEqual([2]);
  });

  it.each([
    ['a file ending in a newline', `${line('f1')}\n# two\n`, `${line('f4')}\n`, 3],
    ['a file without its last newline', `${line('f1')}\n# two`, `\n${line('f4')}\n`, 3],
    ['a missing file', undefined, `${line('f4')}\n`, 1],
  ] as const)('numbers a line appended to %s as ssh-keygen -F would', async (_case, text, added, expected) => {
    const files: Record<string, string> = text === undefined ? {} : { '/kh': text };
    const disk = countingDisk(memoryDisk(files));
    const cache = new KnownHostsCache(disk);
    await cache.load('/kh');
    expect((await cache.load('/kh')).entriesFor('f4')).toEqual([]);
    files['/kh'] = (text ?? '') + added;
    cache.appended('/kh', added);
    const view = await cache.refresh('/kh');
    expect(view.entriesFor('f4').map((e) => e.line)).toEqual([expected]);
    expect(disk.reads).toHaveLength(1);
  });

  it('reads again when the size shows another writer, and keeps the fresh view', async () => {
    const files: Record<string, string> = { '/kh': `${line('f1')}\n` };
    const disk = countingDisk(memoryDisk(files));
    const cache = new KnownHostsCache(disk);
    await cache.load('/kh');
    files['/kh'] += `${line('f4')}\n`;
    expect((await cache.load('/kh')).entriesFor('f4')).toEqual([]);
    expect((await cache.refresh('/kh')).entriesFor('f4').map((e) => e.line)).toEqual([2]);
    expect((await cache.load('/kh')).entriesFor('f4').map((e) => e.line)).toEqual([2]);
    expect(disk.reads).toHaveLength(2);
  });

  it('does not keep a failed read, first or fresh: the next host reads again', async () => {
    const files: Record<string, string> = { '/kh': `${line('f1')}\n` };
    let failNext = 0;
    const disk: KnownHostsDisk = {
      read: async (path) => {
        if (failNext > 0 && failNext--) throw new Error('EIO: i/o error, read');
        return files[path];
      },
      size: async (path) => Buffer.byteLength(files[path] ?? ''),
    };
    const cache = new KnownHostsCache(disk);
    failNext = 1;
    await expect(cache.load('/kh')).rejects.toThrow(/EIO/);
    expect((await cache.load('/kh')).entriesFor('f1').map((e) => e.line)).toEqual([1]);
    files['/kh'] += `${line('f4')}\n`;
    failNext = 1;
    await expect(cache.refresh('/kh')).rejects.toThrow(/EIO/);
    expect((await cache.load('/kh')).entriesFor('f4').map((e) => e.line)).toEqual([2]);
  });
});

let farm: Farm;

describe.skipIf(sshdMissing())('known_hosts once per run, against real sshd', () => {
  beforeAll(async () => {
    farm = await startFarm({ servers: 2 });
  });
  afterAll(async () => {
    await farm?.stop();
  });

  const transportFor = (hosts: readonly Host[], disk: KnownHostsDisk): SshTransport =>
    new SshTransport({ connectTimeoutMs: 30_000, secrets: noSecrets, resolveHost: hostsByName(hosts), knownHosts: new KnownHostsCache(disk) });

  it('ten hosts on one hashed file: one read, and a file changed mid-run does not change the run', async () => {
    const knownHosts = await farm.file('kh-shared', `${await readText(farm.hashedKnownHosts)}`);
    const hosts = Array.from({ length: 10 }, (_, i) => farm.host(`k${i}`, farm.servers[i % 2]!, { knownHosts }));
    const disk = countingDisk();
    const transport = transportFor(hosts, disk);
    const first = await Promise.all(hosts.slice(0, 5).map((h) => transport.runCommand(h, ['true'], LIMITS)));
    await writeFile(knownHosts, '');
    const rest = await Promise.all(hosts.slice(5).map((h) => transport.runCommand(h, ['true'], LIMITS)));
    await transport.close();
    expect([...first, ...rest].map((o) => o.ok || o.failure.message)).toEqual(hosts.map(() => true));
    expect(disk.reads).toEqual([knownHosts]);
  });

  it('a key pinned under accept-new is seen by later hosts of the run without reading again', async () => {
    const knownHosts = `${farm.dir}/kh-pinned/known_hosts`;
    const server = farm.servers[0]!;
    const pinner = farm.host('pinner', server, { knownHosts, hostKeyPolicy: 'accept-new' });
    const strict = ['s1', 's2', 's3'].map((name) => farm.host(name, server, { knownHosts }));
    const disk = countingDisk();
    const transport = transportFor([pinner, ...strict], disk);
    const pinned = await transport.runCommand(pinner, ['true'], LIMITS);
    const later = await Promise.all(strict.map((h) => transport.runCommand(h, ['true'], LIMITS)));
    await transport.close();
    expect([pinned, ...later].map((o) => o.ok || o.failure.message)).toEqual([true, true, true, true]);
    expect(disk.reads).toEqual([knownHosts]);
    expect((await readText(knownHosts)).split('\n')).toEqual([...farm.knownHostsLines(server), '']);
  });
});

async function readText(path: string): Promise<string> {
  return (await realDisk.read(path)) ?? '';
}
