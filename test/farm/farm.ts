import { mkdtempSync } from 'node:fs';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Host } from '../../src/config/types.js';
import { generateKey, hashKnownHosts, type KeyPair, type KeyType } from './keys.js';
import { startSshd, type SshdServer } from './sshd.js';

export const PASSPHRASE = 'correct horse battery staple';

export interface Farm {
  readonly dir: string;
  readonly user: string;
  readonly servers: readonly SshdServer[];
  /** Unencrypted ed25519 client key, authorized on every server. */
  readonly clientKey: KeyPair;
  /** Encrypted ed25519 client key (passphrase PASSPHRASE), authorized on every server. */
  readonly encryptedKey: KeyPair;
  /** A key no server authorizes. */
  readonly strangerKey: KeyPair;
  /** known_hosts with every server's every host key, plain `[127.0.0.1]:port` entries. */
  readonly knownHosts: string;
  /** The same, hashed by `ssh-keygen -H`. */
  readonly hashedKnownHosts: string;
  /** known_hosts lines (plain) for one server's keys, optionally only some types. */
  knownHostsLines(server: SshdServer, types?: readonly KeyType[]): string[];
  /** A Host for a server, ready for SshTransport; remoteDir is private to `name`. */
  host(name: string, server: SshdServer | { readonly port: number }, overrides?: Partial<Host>): Host;
  /** Writes a file in the farm's directory and returns its path. */
  file(name: string, content: string): Promise<string>;
  stop(): Promise<void>;
}

export interface FarmOptions {
  readonly servers: number;
  readonly hostKeyTypes?: readonly KeyType[];
  /** More sshd_config lines for every server. */
  readonly sshdConfig?: readonly string[];
}

/** Starts `servers` real sshd processes sharing one set of client keys. Call stop() in afterAll. */
export async function startFarm(options: FarmOptions): Promise<Farm> {
  const dir = mkdtempSync(join(tmpdir(), 'metrix-farm-'));
  const keyDir = join(dir, 'client');
  await mkdir(keyDir);
  const [clientKey, encryptedKey, strangerKey] = await Promise.all([
    generateKey(join(keyDir, 'id_ed25519'), 'ed25519'),
    generateKey(join(keyDir, 'id_encrypted'), 'ed25519', PASSPHRASE),
    generateKey(join(keyDir, 'id_stranger'), 'ed25519'),
  ]);
  const authorizedKeys = join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, `${clientKey.publicLine}\n${encryptedKey.publicLine}\n`, { mode: 0o600 });
  const servers: SshdServer[] = [];
  try {
    for (let i = 0; i < options.servers; i++) {
      const hostKeyTypes = options.hostKeyTypes ?? ['ed25519'];
      servers.push(await startSshd({ dir: join(dir, `sshd-${i}`), hostKeyTypes, authorizedKeys, extraConfig: options.sshdConfig ?? [] }));
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    throw err;
  }
  const knownHostsLines = (server: SshdServer, types?: readonly KeyType[]): string[] =>
    server.hostKeys
      .filter((key) => types === undefined || types.includes(key.type))
      .map((key) => `[127.0.0.1]:${server.port} ${key.sshType} ${key.blob.toString('base64')}`);
  const knownHosts = join(dir, 'known_hosts');
  await writeFile(knownHosts, `# farm servers\n${servers.flatMap((s) => knownHostsLines(s)).join('\n')}\n`);
  const hashedKnownHosts = join(dir, 'known_hosts.hashed');
  await copyFile(knownHosts, hashedKnownHosts);
  await hashKnownHosts(hashedKnownHosts);
  const user = userInfo().username;
  return {
    dir,
    user,
    servers,
    clientKey,
    encryptedKey,
    strangerKey,
    knownHosts,
    hashedKnownHosts,
    knownHostsLines,
    host: (name, server, overrides = {}) => ({
      name,
      transport: 'ssh',
      address: '127.0.0.1',
      port: server.port,
      user,
      identityFile: clientKey.path,
      passphraseEnv: undefined,
      knownHosts,
      hostKeyPolicy: 'strict',
      node: process.execPath,
      remoteDir: join(dir, 'remote', name),
      proxyJump: undefined,
      groups: [],
      ...overrides,
    }),
    file: async (name, content) => {
      const path = join(dir, name);
      await writeFile(path, content, { mode: 0o600 });
      return path;
    },
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
