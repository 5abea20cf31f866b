import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey, type KeyPair, type KeyType } from './keys.js';
import { freePort } from './hostile.js';
import { killMarked, killQuietly, killTree, track, untrack } from './processes.js';

export const SSHD = '/usr/sbin/sshd';
const START_TIMEOUT_MS = 10_000;
const PORT_ATTEMPTS = 5;

/**
 * Why the sshd tests cannot run here, or undefined when they can. Only a machine with no
 * sshd at all skips (loudly); METRIX_REQUIRE_SSHD=1 turns even that into a failure.
 */
export function sshdMissing(): string | undefined {
  if (existsSync(SSHD)) return undefined;
  const reason = `${SSHD} not found: SSH integration tests SKIPPED. Install it: apt-get install -y openssh-server`;
  if (process.env['METRIX_REQUIRE_SSHD'] === '1') throw new Error(reason);
  console.error(`\n${'!'.repeat(72)}\n!! ${reason}\n${'!'.repeat(72)}\n`);
  return reason;
}

export interface SshdServer {
  readonly port: number;
  readonly pid: number;
  readonly hostKeys: readonly KeyPair[];
  /** Everything sshd printed so far (it runs with -e and LogLevel VERBOSE). */
  log(): string;
  /** TCP connections sshd accepted so far ("Connection from" lines). */
  connections(): number;
  /** SIGKILLs sshd and every session process under it: "sshd died". */
  kill(): void;
  stop(): Promise<void>;
  /**
   * Stops this sshd and starts another on the same port and config, as a restart of the
   * service does; with `newHostKeys` the host keys are made anew first (a reinstalled node).
   * The returned server replaces this one: stop it, not this one.
   */
  restart(newHostKeys?: boolean): Promise<SshdServer>;
}

export interface SshdOptions {
  /** A private directory for this server's keys and config. */
  readonly dir: string;
  readonly hostKeyTypes: readonly KeyType[];
  readonly authorizedKeys: string;
  /** More sshd_config lines (not SetEnv: sshd keeps only the first, the farm's own). */
  readonly extraConfig?: readonly string[];
}

/** Starts a real sshd on 127.0.0.1 on a free port and waits until it listens. */
export async function startSshd(options: SshdOptions): Promise<SshdServer> {
  mkdirSync(options.dir, { recursive: true });
  // Privilege separation needs this directory; the Debian package normally makes it at boot.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKeys = await Promise.all(
    options.hostKeyTypes.map((type) => generateKey(join(options.dir, `ssh_host_${type}_key`), type, '', 'farm-host')),
  );
  let lastError = '';
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    const config = join(options.dir, 'sshd_config');
    await writeFile(config, sshdConfig(port, hostKeys, options.authorizedKeys, [sessionEnv(options.dir), ...(options.extraConfig ?? [])]));
    const started = await launch(config, port);
    if (typeof started !== 'string') return server(started.child, started.output, port, hostKeys, options);
    lastError = started;
    if (!/Address already in use/.test(started)) break;
  }
  throw new Error(`sshd did not start: ${lastError}`);
}

function sshdConfig(port: number, hostKeys: readonly KeyPair[], authorizedKeys: string, extra: readonly string[]): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    ...hostKeys.map((key) => `HostKey ${key.path}`),
    `AuthorizedKeysFile ${authorizedKeys}`,
    'PidFile none',
    'UsePAM no',
    // The farm's files live in a temp dir whose modes sshd's StrictModes would reject.
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'AllowTcpForwarding yes',
    'MaxStartups 200',
    'MaxSessions 100',
    'LogLevel VERBOSE',
    'Subsystem sftp internal-sftp',
    ...extra,
    '',
  ].join('\n');
}

type Launched = { child: ChildProcess; output: { text: string } } | string;

function launch(config: string, port: number): Promise<Launched> {
  return new Promise((resolve) => {
    const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (child.pid !== undefined) track(child.pid);
    const output = { text: '' };
    const timer = setTimeout(() => {
      killQuietly(child.pid ?? -1, 'SIGKILL');
      resolve(`no "Server listening" within ${START_TIMEOUT_MS} ms: ${output.text}`);
    }, START_TIMEOUT_MS);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      output.text += chunk;
      if (output.text.includes(`Server listening on 127.0.0.1 port ${port}.`)) {
        clearTimeout(timer);
        resolve({ child, output });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (child.pid !== undefined) untrack(child.pid);
      resolve(`sshd exited with ${code}: ${output.text}`);
    });
  });
}

// Marks every session's processes (SetEnv), so stop() finds a command that outlived its
// session (sshd will not signal root sessions) and the test run's leak check finds them all.
const SESSION_MARKER = 'METRIX_SSHD';
const RUN_MARKER = 'METRIX_TEST_RUN';

// SHLVL=1: bash started by sshd sources ~/.bashrc only as a top-level shell (SHLVL < 2), so a
// session never depends on the tester's dotfiles (root's here runs pyenv, slow or stuck on its lock).
function sessionEnv(dir: string): string {
  const run = process.env[RUN_MARKER];
  return `SetEnv SHLVL=1 ${SESSION_MARKER}=${dir}${run === undefined ? '' : ` ${RUN_MARKER}=${run}`}`;
}

function server(child: ChildProcess, output: { text: string }, port: number, hostKeys: readonly KeyPair[], options: SshdOptions): SshdServer {
  const { dir } = options;
  const pid = child.pid ?? -1;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    child.once('exit', () => resolve());
  });
  return {
    port,
    pid,
    hostKeys,
    log: () => output.text,
    connections: () => output.text.match(/^Connection from /gm)?.length ?? 0,
    kill: () => killTree(pid),
    stop: async () => {
      killTree(pid);
      await exited;
      untrack(pid);
      killMarked(SESSION_MARKER, dir);
    },
    restart: async (newHostKeys = false) => {
      killTree(pid);
      await exited;
      untrack(pid);
      killMarked(SESSION_MARKER, dir);
      const keys = newHostKeys
        ? await Promise.all(hostKeys.map((key) => rm(key.path, { force: true }).then(() => rm(`${key.path}.pub`, { force: true })).then(() => generateKey(key.path, key.type, '', 'farm-host'))))
        : hostKeys;
      const started = await launch(join(dir, 'sshd_config'), port);
      if (typeof started === 'string') throw new Error(`sshd did not restart on port ${port}: ${started}`);
      return server(started.child, started.output, port, keys, options);
    },
  };
}
