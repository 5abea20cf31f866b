import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Host } from '../config/types.js';
import { runChild } from './child-process.js';
import { specOnStdin } from '../checks/spec-for-host.js';
import { fail, ok, type Failure, type Outcome } from '../result.js';
import type { ResidentEnd, ResidentProcess } from './resident.js';
import type { ExecRequest, ExecResult, Transport } from './transport.js';
import type { ResidentStarter } from './warm-transport.js';

/** How long a resident collector told to stop may take before it is killed outright. */
const KILL_GRACE_MS = 1000;

/**
 * Polls the machine metrix runs on: the collector runs as a child process of the same
 * Node binary, with the host's key file from the keys directory. No SSH involved.
 */
export class LocalTransport implements Transport, ResidentStarter {
  // One per host being polled: releasing the host (or closing) kills a collector still running.
  readonly #running = new Map<string, AbortController>();

  constructor(
    private readonly collectorPath: string,
    private readonly keyPathOf: (host: string) => string,
  ) {}

  // Each local host has its own key file in the keys directory, and its own state file beside it.
  #args(host: Host): string[] {
    const keyPath = this.keyPathOf(host.name);
    return [this.collectorPath, '--key', keyPath, '--state', keyPath.replace(/\.key$/, '') + '.state.json'];
  }

  exec(host: Host, request: ExecRequest): Promise<Outcome<ExecResult>> {
    const running = new AbortController();
    this.#running.set(host.name, running);
    const { args, stdin } = specOnStdin(request.args);
    return runChild(process.execPath, [...this.#args(host), ...args], { ...request, stdin, signal: running.signal }).finally(() => {
      if (this.#running.get(host.name) === running) this.#running.delete(host.name);
    });
  }

  /**
   * A resident child in a process group of its own: a Ctrl-C or a signal to the poller's group
   * reaches the poller, which finishes its cycle, not the collectors it is asking.
   */
  async startResident(host: Host, options: readonly string[]): Promise<Outcome<ResidentProcess>> {
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(process.execPath, [...this.#args(host), '--serve', ...options], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      return fail('collector-failed', `cannot start ${process.execPath}: ${err instanceof Error ? err.message : String(err)}`);
    }
    // Without a pid the spawn failed (EMFILE, EAGAIN): 'error' says why, and there are no pipes to use.
    if (child.pid === undefined) {
      const why = await new Promise<string>((resolve) => child.once('error', (err) => resolve(err.message)));
      return fail('collector-failed', `cannot start ${process.execPath}: ${why}`);
    }
    const endListeners: Array<(end: ResidentEnd) => void> = [];
    let ended: ResidentEnd | undefined;
    const end = (how: ResidentEnd): void => {
      if (ended) return;
      ended = how;
      for (const listener of endListeners) listener(how);
    };
    child.on('error', (err) => end({ kind: 'lost', message: `cannot start ${process.execPath}: ${err.message}` }));
    child.on('close', (code, signal) => end({ kind: 'exit', code, signal: signal ?? undefined, stderr: '' }));
    // A collector that died leaves a broken pipe behind: its end is reported by close.
    child.stdin.on('error', () => undefined);
    return ok({
      write: (text) => void child.stdin.write(text),
      onStdout: (listener) => void child.stdout.on('data', listener),
      onStderr: (listener) => void child.stderr.on('data', listener),
      onEnd: (listener) => {
        if (ended) listener(ended);
        else endListeners.push(listener);
      },
      // TERM lets it kill its statfs helpers on the way out; KILL follows if it does not go.
      kill: () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const hard = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
        hard.unref();
        child.once('exit', () => clearTimeout(hard));
      },
    });
  }

  describeEnd(_host: Host, end: ResidentEnd): Failure {
    if (end.kind === 'lost') return { reason: 'collector-failed', message: end.message };
    const status = end.signal ? `was killed by ${end.signal}` : `exited with status ${end.code}`;
    const said = end.stderr.trim();
    return { reason: 'collector-failed', message: `resident collector ${status}${said ? `: ${said}` : ''}` };
  }

  discard(): void {}

  newCycle(): void {}

  async release(host: Host): Promise<void> {
    this.#running.get(host.name)?.abort();
  }

  async close(): Promise<void> {
    for (const running of this.#running.values()) running.abort();
    this.#running.clear();
  }
}
