import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type KeyType = 'ed25519' | 'ecdsa' | 'rsa';

export interface KeyPair {
  readonly type: KeyType;
  readonly path: string;
  /** The .pub line: "ssh-ed25519 AAAA... comment". */
  readonly publicLine: string;
  /** Key type name and blob as they appear in known_hosts. */
  readonly sshType: string;
  readonly blob: Buffer;
}

/** Generates a key pair with the real ssh-keygen. */
export async function generateKey(path: string, type: KeyType, passphrase = '', comment = 'metrix-test'): Promise<KeyPair> {
  const bits = type === 'rsa' ? ['-b', '2048'] : [];
  await run('ssh-keygen', ['-q', '-t', type, ...bits, '-N', passphrase, '-C', comment, '-f', path]);
  return readKeyPair(path, type);
}

export async function readKeyPair(path: string, type: KeyType): Promise<KeyPair> {
  const publicLine = (await readFile(`${path}.pub`, 'utf8')).trim();
  const [sshType = '', blob64 = ''] = publicLine.split(' ');
  return { type, path, publicLine, sshType, blob: Buffer.from(blob64, 'base64') };
}

/** What `ssh-keygen -lf` prints for a key file: the SHA256:… fingerprint. */
export async function keygenFingerprint(path: string): Promise<string> {
  const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', path]);
  const fingerprint = stdout.split(' ')[1];
  if (!fingerprint?.startsWith('SHA256:')) throw new Error(`unexpected ssh-keygen -l output: ${stdout}`);
  return fingerprint;
}

/** Hashes a known_hosts file in place with `ssh-keygen -H` (which leaves a .old copy). */
export async function hashKnownHosts(path: string): Promise<void> {
  await run('ssh-keygen', ['-H', '-f', path]);
}

/** Line numbers `ssh-keygen -F name -f file` reports for a host, in order. */
export async function keygenFind(path: string, name: string): Promise<number[]> {
  const { stdout } = await run('ssh-keygen', ['-F', name, '-f', path]).catch((err: { stdout?: string; code?: number }) => {
    if (err.code === 1) return { stdout: err.stdout ?? '' };
    throw err;
  });
  return [...stdout.matchAll(/found: line (\d+)/g)].map((m) => Number(m[1]));
}
