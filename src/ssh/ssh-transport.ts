import type { Host } from '../config/types.js';
import { specOnStdin } from '../checks/spec-for-host.js';
import { fail, ok, type Outcome } from '../result.js';
import type { ExecRequest, ExecResult, Transport } from '../poll/transport.js';
import type { SshSecrets } from './auth.js';
import { describeExit } from './collector-exit.js';
import { withDeadline } from './deadline.js';
import { KnownHostsCache } from './known-hosts-cache.js';
import { ConnectionPool } from './pool.js';
import { runRemote, type CommandLimits, type CommandResult } from './remote-command.js';
import { remotePath, shellCommand } from './shell-quote.js';
import { uploadFiles, type UploadFile, type UploadResult } from './upload.js';
import type { ResidentEnd, ResidentProcess } from '../poll/resident.js';
import type { ResidentStarter } from '../poll/warm-transport.js';
import type { Failure } from '../result.js';
import { channelResident } from './resident-channel.js';

/** The collector's file name in a host's remoteDir. */
export const COLLECTOR_FILE = 'metrix-collector.js';

export interface SshTransportOptions {
  readonly connectTimeoutMs: number;
  readonly secrets: SshSecrets;
  /** Finds a host by name, for proxyJump; see hostsByName. */
  readonly resolveHost: (name: string) => Host | undefined;
  /** Limit for one upload or one runCommand without its own; default 120 s. */
  readonly operationTimeoutMs?: number;
  /** Receives things worth logging that are not failures (a host key pinned, ...). */
  readonly notice?: (host: Host, message: string) => void;
  /** known_hosts as parsed for this transport's life; a fresh one (one parse per file per run) by default. */
  readonly knownHosts?: KnownHostsCache;
}

const DEFAULT_OPERATION_TIMEOUT_MS = 120_000;
const SMALL_OUTPUT_BYTES = 1024 * 1024;

/** `resolveHost` over a host list. */
export const hostsByName =
  (hosts: readonly Host[]) =>
  (name: string): Host | undefined =>
    hosts.find((host) => host.name === name);

/**
 * Runs the collector over SSH with one connection per host per run (jump hosts shared), and
 * uploads files over SFTP on the same connections. Never throws for a host's own failure.
 */
export class SshTransport implements Transport, ResidentStarter {
  readonly #pool: ConnectionPool;
  readonly #operationTimeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #knownHosts: KnownHostsCache;

  constructor(options: SshTransportOptions) {
    this.#knownHosts = options.knownHosts ?? new KnownHostsCache();
    this.#pool = new ConnectionPool({
      ...options,
      notice: options.notice ?? (() => undefined),
      knownHosts: this.#knownHosts,
    });
    this.#operationTimeoutMs = options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
    this.#connectTimeoutMs = options.connectTimeoutMs;
  }

  /** `<node> <remoteDir>/metrix-collector.js <args…>`; a non-zero exit is 'collector-failed'. */
  async exec(host: Host, request: ExecRequest): Promise<Outcome<ExecResult>> {
    const collector = remotePath(host.remoteDir, COLLECTOR_FILE);
    const { args, stdin } = specOnStdin(request.args);
    const run = await this.runCommand(host, [host.node, collector, ...args], { ...request, stdin }, `collector on ${host.name}`);
    if (!run.ok) return run;
    const { exitCode, stdout, stderr } = run.value;
    if (exitCode === 0) return ok({ stdout, stderr });
    return describeExit(host, collector, run.value);
  }

  /**
   * Starts `<node> <remoteDir>/metrix-collector.js --serve` on a channel of the host's kept
   * connection (dialed first if it is gone), for metrix run.
   */
  async startResident(host: Host, options: readonly string[]): Promise<Outcome<ResidentProcess>> {
    const connection = await this.#pool.get(host);
    if (!connection.ok) return connection;
    const command = shellCommand([host.node, remotePath(host.remoteDir, COLLECTOR_FILE), '--serve', ...options]);
    const ms = this.#connectTimeoutMs;
    const started = await withDeadline(
      connection.value.exec(command).then((process) => ok(process), (err: Error) => fail('ssh', `cannot start the resident collector on ${host.name}: ${err.message}`)),
      ms,
      () => fail('ssh', `the server did not open a channel for the resident collector on ${host.name} within ${ms} ms`),
      (late) => late.ok && late.value.channel.close(),
    );
    if (!started.ok) {
      this.#pool.discard(host);
      return started;
    }
    return ok(channelResident(started.value, connection.value));
  }

  describeEnd(host: Host, end: ResidentEnd): Failure {
    const collector = remotePath(host.remoteDir, COLLECTOR_FILE);
    if (end.kind === 'lost') return { reason: 'ssh', message: `resident collector on ${host.name}: ${end.message}` };
    const described = describeExit(host, collector, { stdout: '', stderr: end.stderr, exitCode: end.code, signal: end.signal });
    return described.ok ? { reason: 'collector-failed', message: `resident collector on ${host.name} ended` } : described.failure;
  }

  newCycle(): void {
    this.#pool.forgetFailedJumps();
    this.#knownHosts.dropChanged();
  }

  discard(host: Host): void {
    this.#pool.discard(host);
  }

  /** Runs a command (argv, each word quoted) and returns its output and exit status, whatever it is. */
  async runCommand(host: Host, argv: readonly string[], limits?: CommandLimits, what?: string): Promise<Outcome<CommandResult>> {
    const connection = await this.#pool.get(host);
    if (!connection.ok) return connection;
    const label = what ?? `${argv[0] ?? 'command'} on ${host.name}`;
    const chosen = limits ?? { timeoutMs: this.#operationTimeoutMs, maxOutputBytes: SMALL_OUTPUT_BYTES };
    const result = await runRemote(connection.value, shellCommand(argv), chosen, label);
    if (!result.ok && result.failure.reason === 'command-timeout') this.#pool.discard(host);
    return result;
  }

  /** `node --version` on the host, e.g. "v20.11.1". */
  async nodeVersion(host: Host): Promise<Outcome<string>> {
    const run = await this.runCommand(host, [host.node, '--version']);
    if (!run.ok) return run;
    const { exitCode, stdout, stderr } = run.value;
    if (exitCode === 0) return ok(stdout.trim());
    return fail('collector-failed', `${host.node} --version on ${host.name} exited with status ${exitCode}: ${stderr.trim()}`);
  }

  /** Places files in the host's remoteDir, skipping those already identical. */
  async upload(host: Host, files: readonly UploadFile[]): Promise<Outcome<UploadResult>> {
    const connection = await this.#pool.get(host);
    if (!connection.ok) return connection;
    const ms = this.#operationTimeoutMs;
    return withDeadline(uploadFiles(connection.value, host, files), ms, () => {
      this.#pool.discard(host);
      return fail('command-timeout', `upload to ${host.name} did not finish within ${ms} ms`);
    });
  }

  /** Closes the host's connection; a jump host's goes after its last target's (see ConnectionPool.release). */
  release(host: Host): Promise<void> {
    return this.#pool.release(host).catch(() => undefined);
  }

  /** SSH connections open now, for tests and benchmarks. */
  get openConnections(): number {
    return this.#pool.openConnections;
  }

  close(): Promise<void> {
    return this.#pool.closeAll();
  }
}
