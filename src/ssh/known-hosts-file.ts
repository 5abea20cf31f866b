import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** How the known_hosts cache reaches the disk; tests pass one that counts. */
export interface KnownHostsDisk {
  /** The file's text, or undefined when it does not exist. Other I/O errors throw. */
  read(path: string): Promise<string | undefined>;
  /** The file's size in bytes, or undefined when it does not exist. */
  size(path: string): Promise<number | undefined>;
}

const missing = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

export const realDisk: KnownHostsDisk = {
  read: async (path) => {
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      if (missing(err)) return undefined;
      throw err;
    }
  },
  size: async (path) => {
    try {
      return (await stat(path)).size;
    } catch (err) {
      if (missing(err)) return undefined;
      throw err;
    }
  },
};

const appending = new Map<string, Promise<unknown>>();

/**
 * Appends one line, creating the file 0600 (and its directory 0700) when missing. One
 * O_APPEND write per line, so concurrent writers never interleave inside a line; calls
 * for the same file in this process are queued, and `stillWanted` is asked once the
 * queue reaches this call so a key pinned meanwhile is not written twice. `written`
 * runs inside the queue, with the text actually added, before the next call's turn.
 */
export async function appendKnownHostsLine(
  path: string,
  line: string,
  stillWanted: () => Promise<boolean>,
  written: (added: string) => void = () => undefined,
): Promise<boolean> {
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
      const added = `${separator}${line}\n`;
      await handle.write(added);
      written(added);
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
