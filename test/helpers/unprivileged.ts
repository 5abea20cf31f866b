import { execFile } from 'node:child_process';
import { chownSync } from 'node:fs';

/**
 * Running part of a test as a user that permission bits apply to. Root ignores them, so when
 * the tests run as root (CI) the command runs as `nobody` through util-linux's setpriv;
 * otherwise as the user running the tests.
 */
const asRoot = process.getuid?.() === 0;

/** The uid and gid commands run as; files they need must be reachable by them. */
export const UNPRIVILEGED = asRoot ? { uid: 65534, gid: 65534 } : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };

/** Hands a file or directory the test made to the unprivileged user. */
export function giveToUnprivileged(path: string): void {
  if (asRoot) chownSync(path, UNPRIVILEGED.uid, UNPRIVILEGED.gid);
}

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node ARGS` in `cwd` as the unprivileged user; killed after `timeoutMs`. */
export function runNodeUnprivileged(args: readonly string[], cwd: string, timeoutMs = 20_000): Promise<Ran> {
  const [command, prefix] = asRoot
    ? ['setpriv', [`--reuid=${UNPRIVILEGED.uid}`, `--regid=${UNPRIVILEGED.gid}`, '--clear-groups', '--', process.execPath]]
    : [process.execPath, []];
  return new Promise((resolve) => {
    execFile(command, [...prefix, ...args], { cwd, timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}
