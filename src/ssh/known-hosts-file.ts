import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseKnownHosts, type KnownHosts } from './known-hosts.js';

export interface KnownHostsFile extends KnownHosts {
  readonly exists: boolean;
}

/** Reads and parses a known_hosts file; a missing file reads as empty. Other I/O errors throw. */
export async function readKnownHostsFile(path: string): Promise<KnownHostsFile> {
  try {
    return { ...parseKnownHosts(await readFile(path, 'utf8')), exists: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], invalid: [], exists: false };
    throw err;
  }
}

const appending = new Map<string, Promise<unknown>>();

/**
 * Appends one line, creating the file 0600 (and its directory 0700) when missing. One
 * O_APPEND write per line, so concurrent writers never interleave inside a line; calls
 * for the same file in this process are queued, and `stillWanted` is asked once the
 * queue reaches this call so a key pinned meanwhile is not written twice.
 */
export async function appendKnownHostsLine(path: string, line: string, stillWanted: () => Promise<boolean>): Promise<boolean> {
  const previous = appending.get(path) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(async () => {
    if (!(await stillWanted())) return false;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const handle = await open(path, 'a+', 0o600);
    try {
      const { size } = await handle.stat();
      const last = Buffer.alloc(1);
      if (size > 0) await handle.read(last, 0, 1, size - 1);
      const separator = size > 0 && last[0] !== 0x0a ? '\n' : '';
      await handle.write(`${separator}${line}\n`);
    } finally {
      await handle.close();
    }
    return true;
  });
  appending.set(path, mine);
  try {
    return await mine;
  } finally {
    if (appending.get(path) === mine) appending.delete(path);
  }
}
