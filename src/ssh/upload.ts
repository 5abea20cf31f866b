import type { Host } from '../config/types.js';
import { errorMessage } from '../errors.js';
import { fail, ok, type Outcome } from '../result.js';
import type { SshConnection } from './client.js';
import { preparePrivateDirectory, sameContent, setMode, writeFileAtomic } from './sftp.js';
import { remotePath } from './shell-quote.js';

export interface UploadFile {
  /** A plain file name, placed in the host's remoteDir. */
  readonly name: string;
  readonly content: Buffer;
  readonly mode: number;
}

export interface UploadResult {
  readonly uploaded: readonly string[];
  /** Already identical on the host (size and sha256); their mode is still enforced. */
  readonly skipped: readonly string[];
}

const DIRECTORY_MODE = 0o700;

/** Puts files in the host's remoteDir (made 0700 when missing, refused when others could write it) over one SFTP session. */
export async function uploadFiles(connection: SshConnection, host: Host, files: readonly UploadFile[]): Promise<Outcome<UploadResult>> {
  for (const file of files) {
    if (!/^[^/\0]+$/.test(file.name) || file.name === '.' || file.name === '..') {
      throw new TypeError(`upload: "${file.name}" is not a plain file name`);
    }
  }
  // ssh2 never calls back pending SFTP requests when the connection drops: watch it ourselves.
  let stopWatching = (): void => undefined;
  const lost = new Promise<never>((_, reject) => {
    stopWatching = connection.onClose((reason) => reject(new Error(`connection lost: ${reason}`)));
  });
  try {
    return ok(await Promise.race([transfer(connection, host, files), lost]));
  } catch (err) {
    return fail('ssh', `upload to ${host.name} failed: ${errorMessage(err)}`);
  } finally {
    stopWatching();
  }
}

async function transfer(connection: SshConnection, host: Host, files: readonly UploadFile[]): Promise<UploadResult> {
  const sftp = await connection.sftp();
  const uploaded: string[] = [];
  const skipped: string[] = [];
  try {
    await preparePrivateDirectory(sftp, remotePath(host.remoteDir), DIRECTORY_MODE);
    for (const file of files) {
      const path = remotePath(host.remoteDir, file.name);
      const existing = await sameContent(sftp, path, file.content);
      if (existing) {
        if (existing.mode !== file.mode) await setMode(sftp, path, file.mode);
        skipped.push(file.name);
        continue;
      }
      await writeFileAtomic(sftp, path, file.content, file.mode);
      uploaded.push(file.name);
    }
  } finally {
    sftp.end();
  }
  return { uploaded, skipped };
}
