import { execFile, execFileSync } from 'node:child_process';
import { chownSync } from 'node:fs';
import { userInfo } from 'node:os';

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

/** A user sshd lets log in (a real shell, not root): the one the SSH tests log in as to see what root hides. */
export interface LoginUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

const TEST_USER = 'metrix-test';

/**
 * The user running the tests, unless that is root: then `metrix-test`, a system user with
 * /bin/sh (nobody's shell is nologin, so sshd could run no command for it), made on first use.
 */
export function loginUser(): LoginUser {
  if (!asRoot) return { name: userInfo().username, uid: UNPRIVILEGED.uid, gid: UNPRIVILEGED.gid };
  const id = (flag: string): number => Number(execFileSync('id', [flag, TEST_USER], { encoding: 'utf8' }).trim());
  try {
    return { name: TEST_USER, uid: id('-u'), gid: id('-g') };
  } catch {
    // Password "*": none to log in with, but not "!" (locked), which sshd without PAM refuses outright.
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/bin/sh', '--password', '*', TEST_USER]);
    return { name: TEST_USER, uid: id('-u'), gid: id('-g') };
  }
}
