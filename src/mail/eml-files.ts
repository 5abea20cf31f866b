import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileStamp } from './format.js';
import { mailFailure, type MailFailure } from './failure.js';

/**
 * `20261122T040000Z-<id>.eml`: sorts by the message's date; unique per Message-ID, so two
 * messages in the same second get two files, and writing the same message again (a retry)
 * replaces its file instead of adding a second copy.
 */
export function emlFileName(date: number, messageId: string): string {
  // Our Message-IDs hold only [A-Za-z0-9._=-] and '@' (see messageIdFor), so this keeps them distinct.
  const id = messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._=@-]/g, '_').replace(/^\./, '_').slice(0, 200);
  return `${fileStamp(date)}-${id}.eml`;
}

/** Writes the file atomically (a temporary file, flushed, then renamed); the directory is made 0700. */
export async function writeEmlFile(dir: string, name: string, raw: Buffer): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(raw);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return path;
}

/** For `metrix mail test`: the directory exists (made if missing) and a file can be written into it. */
export async function checkWritableDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await access(dir, constants.W_OK);
  const probe = join(dir, `.metrix-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  await writeFile(probe, '', { mode: 0o600, flag: 'wx' });
  await rm(probe, { force: true });
}

const CONFIG_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'EISDIR']);

/** A file-system error writing mail, as a MailFailure naming the directory. */
export function fileFailure(error: unknown, dir: string): MailFailure {
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : '';
  const text = error instanceof Error ? error.message : String(error);
  if (CONFIG_CODES.has(code)) {
    return mailFailure('config', false, `cannot write mail into ${dir} (${code}: ${text}); make dir= in <mail> a directory the user running metrix can write`);
  }
  return mailFailure('other', true, `cannot write mail into ${dir}: ${text}`);
}
