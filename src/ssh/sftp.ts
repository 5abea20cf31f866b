import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { SftpSession } from './client.js';

const NO_SUCH_FILE = 2;

export interface RemoteFileInfo {
  readonly size: number;
  readonly sha256: string;
  readonly mode: number;
}

const call = <T>(start: (cb: (err: Error | undefined | null, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value))));

const missing = (err: unknown): boolean => (err as { code?: unknown }).code === NO_SUCH_FILE;

async function statOrUndefined(sftp: SftpSession, path: string): Promise<{ size: number; mode: number; isDirectory(): boolean } | undefined> {
  try {
    return await call((cb) => sftp.stat(path, cb));
  } catch (err) {
    if (missing(err)) return undefined;
    throw new Error(`cannot stat ${path}: ${(err as Error).message}`);
  }
}

/** mkdir -p; the last directory gets `mode` even if it existed (chmod fails if it is not ours). */
export async function ensureDirectory(sftp: SftpSession, dir: string, mode: number): Promise<void> {
  const found = await statOrUndefined(sftp, dir);
  if (found && !found.isDirectory()) throw new Error(`${dir} exists and is not a directory`);
  if (!found) {
    const parent = posix.dirname(dir);
    if (parent !== dir) await ensureDirectory(sftp, parent, -1);
    try {
      await call<void>((cb) => sftp.mkdir(dir, mode >= 0 ? { mode } : {}, cb));
    } catch (err) {
      // Another client may have made it meanwhile; only a directory that is still missing is an error.
      if (!(await statOrUndefined(sftp, dir))?.isDirectory()) throw new Error(`cannot create ${dir}: ${(err as Error).message}`);
    }
  }
  if (mode >= 0 && ((found?.mode ?? -1) & 0o7777) !== mode) {
    await setMode(sftp, dir, mode);
  }
}

/**
 * Size, sha256 and mode of a remote file, or undefined when it does not exist. The hash is
 * computed here from the bytes read back over SFTP rather than by running `sha256sum` there:
 * it needs no shell or coreutils on the host (BSDs name it differently), and checks what the
 * SFTP server really stored; the files metrix uploads are small.
 */
export async function remoteFileInfo(sftp: SftpSession, path: string): Promise<RemoteFileInfo | undefined> {
  const stats = await statOrUndefined(sftp, path);
  if (stats === undefined) return undefined;
  const content = await call<Buffer>((cb) => sftp.readFile(path, cb));
  return { size: content.length, sha256: sha256(content), mode: stats.mode & 0o7777 };
}

/** Whether a remote file holds exactly `content`; reads it back only if the size matches. */
export async function sameContent(sftp: SftpSession, path: string, content: Buffer): Promise<RemoteFileInfo | undefined> {
  const stats = await statOrUndefined(sftp, path);
  if (stats === undefined || stats.size !== content.length) return undefined;
  const info = await remoteFileInfo(sftp, path);
  return info && info.sha256 === sha256(content) ? info : undefined;
}

/**
 * Writes a file so that readers see the old content or the new, never a part: write a
 * temporary name in the same directory, set its mode, check it reads back identical, then
 * rename over the target (posix-rename@openssh.com, which replaces atomically).
 */
export async function writeFileAtomic(sftp: SftpSession, path: string, content: Buffer, mode: number): Promise<void> {
  const temp = posix.join(posix.dirname(path), `.${posix.basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await call<void>((cb) => sftp.writeFile(temp, content, { mode }, cb));
    await setMode(sftp, temp, mode);
    if (!(await sameContent(sftp, temp, content))) throw new Error(`${temp} did not read back as written`);
    await renameOver(sftp, temp, path);
  } catch (err) {
    await call<void>((cb) => sftp.unlink(temp, cb)).catch(() => undefined);
    throw new Error(`cannot write ${path}: ${(err as Error).message}`);
  }
}

async function renameOver(sftp: SftpSession, from: string, to: string): Promise<void> {
  try {
    await call<void>((cb) => sftp.ext_openssh_rename(from, to, cb));
  } catch (err) {
    if (!/does not support/.test((err as Error).message)) throw err;
    // Plain SFTP rename refuses to replace: remove the old file first (briefly absent, never partial).
    await call<void>((cb) => sftp.unlink(to, cb)).catch(() => undefined);
    await call<void>((cb) => sftp.rename(from, to, cb));
  }
}

export async function setMode(sftp: SftpSession, path: string, mode: number): Promise<void> {
  await call<void>((cb) => sftp.chmod(path, mode, cb)).catch((err: Error) => {
    throw new Error(`cannot set mode ${mode.toString(8)} on ${path}: ${err.message}`);
  });
}

export function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
