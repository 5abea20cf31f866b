import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { MetrixError } from '../errors.js';

const PRIVATE_FILE = 0o600;
const PRIVATE_DIR = 0o700;

/** Refuses a key file or directory that group or others can read, write or enter. */
export function assertPrivate(path: string, kind: 'file' | 'directory'): void {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch (err) {
    throw new MetrixError('KEYS', `cannot read ${kind} ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`, { cause: err });
  }
  if ((mode & 0o077) !== 0) {
    const wanted = kind === 'file' ? '600' : '700';
    throw new MetrixError(
      'KEYS',
      `${kind} ${path} is open to group or others (mode ${mode.toString(8).padStart(4, '0')}); metrix refuses keys others can read. Fix with: chmod ${wanted} ${path}`,
    );
  }
}

export function makePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR });
  chmodSync(path, PRIVATE_DIR);
}

/** Writes a secret file with mode 0600 from the start (never briefly readable), then renames it into place. */
export function writePrivateFile(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: PRIVATE_FILE, flag: 'wx' });
  renameSync(tmp, path);
}

/** Reads a key file as JSON after checking its mode; undefined when it does not exist. */
export function readPrivateJson(path: string): unknown {
  if (!existsSync(path)) return undefined;
  assertPrivate(path, 'file');
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new MetrixError('KEYS', `key file ${path} is not valid JSON; restore it from a backup`, { cause: err });
  }
}
