import { chmodSync, closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { MetrixError } from '../errors.js';

const PRIVATE_FILE = 0o600;
const PRIVATE_DIR = 0o700;

/** Refuses a key file or directory that group or others can read, write or enter. */
export function assertPrivate(path: string, kind: 'file' | 'directory', stats?: Stats): void {
  let mode: number;
  try {
    mode = (stats ?? statSync(path)).mode & 0o777;
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

/** Reads a key file, e.g. `readPrivateJson`; injectable so tests can count the reads. */
export type KeyFileReader = (path: string) => unknown;

/**
 * Reads a key file as JSON after checking its mode; undefined when it does not exist. One open
 * file descriptor for the check and the read: three system calls, and the mode checked is the
 * mode of the file read, not of whatever a path pointed at a moment earlier.
 */
export function readPrivateJson(path: string): unknown {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MetrixError('KEYS', `cannot read file ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`, { cause: err });
  }
  try {
    assertPrivate(path, 'file', fstatSync(fd));
    let text: string;
    try {
      text = readFileSync(fd, 'utf8');
    } catch (err) {
      throw new MetrixError('KEYS', `cannot read file ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`, { cause: err });
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new MetrixError('KEYS', `key file ${path} is not valid JSON; restore it from a backup`, { cause: err });
    }
  } finally {
    closeSync(fd);
  }
}
