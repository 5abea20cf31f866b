import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { ancestorProblem, remoteDirStatsProblem, type RemoteDirStats } from './remote-dir-policy.js';
import type { SftpSession } from './client.js';

const NO_SUCH_FILE = 2;

export interface RemoteFileInfo {
  readonly size: number;
  readonly sha256: string;
  readonly mode: number;
}

/** What metrix reads of an SFTP stat (ssh2's Stats, named here so only client.ts imports ssh2). */
interface Stats {
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

const call = <T>(start: (cb: (err: Error | undefined | null, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value))));

const missing = (err: unknown): boolean => (err as { code?: unknown }).code === NO_SUCH_FILE;

async function statOrUndefined(sftp: SftpSession, path: string): Promise<Stats | undefined> {
  try {
    return await call((cb) => sftp.stat(path, cb));
  } catch (err) {
    if (missing(err)) return undefined;
    throw new Error(`cannot stat ${path}: ${(err as Error).message}`);
  }
}

/**
 * Makes `dir` ready to hold files only the login user can replace. A missing one is made
 * (mkdir -p, the last directory with `mode`); an existing one is never chmod-ed, only
 * checked: it must be a real directory of the login user's that no one else can write.
 */
export async function preparePrivateDirectory(sftp: SftpSession, written: string, mode: number): Promise<void> {
  // A trailing slash would make lstat follow a symlink: "/srv/m/" must be checked as "/srv/m".
  const dir = written.replace(/(?<=.)\/+$/, '');
  await checkAncestors(sftp, dir);
  if (!(await lstatOrUndefined(sftp, dir)) && (await makeDirectory(sftp, dir, mode))) {
    await setMode(sftp, dir, mode); // ours, just made: the umask may have narrowed or widened it
    return;
  }
  const stats = await lstatOrUndefined(sftp, dir);
  if (!stats) throw new Error(`cannot create ${dir}: it vanished while being made`);
  const found: RemoteDirStats = {
    mode: stats.mode & 0o7777,
    uid: stats.uid,
    isDirectory: stats.isDirectory(),
    isSymbolicLink: stats.isSymbolicLink(),
  };
  const problem = remoteDirStatsProblem(dir, found, found.uid) ?? remoteDirStatsProblem(dir, found, await loginUid(sftp, dir));
  if (problem) throw new Error(problem);
}

/** Refuses a remoteDir below a directory others may write without the sticky bit; missing ones are made later. */
async function checkAncestors(sftp: SftpSession, dir: string): Promise<void> {
  for (let above = posix.dirname(dir); ; above = posix.dirname(above)) {
    const stats = await statOrUndefined(sftp, above);
    const problem = stats && ancestorProblem(dir, above, stats.mode & 0o7777);
    if (problem) throw new Error(problem);
    if (above === posix.dirname(above)) return;
  }
}

/** mkdir -p; true when this call made `dir` itself, false when someone else made it meanwhile. */
async function makeDirectory(sftp: SftpSession, dir: string, mode: number): Promise<boolean> {
  const parent = posix.dirname(dir);
  if (parent !== dir) {
    const above = await statOrUndefined(sftp, parent);
    if (above && !above.isDirectory()) throw new Error(`${parent} exists and is not a directory`);
    if (!above) await makeDirectory(sftp, parent, -1);
  }
  try {
    await call<void>((cb) => sftp.mkdir(dir, mode >= 0 ? { mode } : {}, cb));
    return true;
  } catch (err) {
    // Another client may have made it meanwhile; only a directory that is still missing is an error.
    if (!(await statOrUndefined(sftp, dir))) throw new Error(`cannot create ${dir}: ${(err as Error).message}`);
    return false;
  }
}

/**
 * The login user's uid, as the owner of a file made in `dir`: SFTP has no "who am I", and a
 * file one creates is one's own.
 */
async function loginUid(sftp: SftpSession, dir: string): Promise<number> {
  const probe = posix.join(dir, `.metrix-probe-${randomBytes(6).toString('hex')}`);
  try {
    const handle = await call<Buffer>((cb) => sftp.open(probe, 'wx', { mode: 0o600 }, cb));
    try {
      return (await call<{ uid: number }>((cb) => sftp.fstat(handle, cb))).uid;
    } finally {
      await call<void>((cb) => sftp.close(handle, cb)).catch(() => undefined);
      await call<void>((cb) => sftp.unlink(probe, cb)).catch(() => undefined);
    }
  } catch (err) {
    throw new Error(`cannot write in remoteDir ${dir}: ${(err as Error).message}`);
  }
}

async function lstatOrUndefined(sftp: SftpSession, path: string): Promise<Stats | undefined> {
  try {
    return await call<Stats>((cb) => sftp.lstat(path, cb));
  } catch (err) {
    if (missing(err)) return undefined;
    throw new Error(`cannot stat ${path}: ${(err as Error).message}`);
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
