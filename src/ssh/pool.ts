import { setMaxListeners } from 'node:events';
import type { Host } from '../config/types.js';
import { errorMessage } from '../errors.js';
import { fail, ok, type Failure, type Outcome } from '../result.js';
import type { RemoteChannel, SshConnection } from './client.js';
import { connectHost, type ConnectOptions } from './connect.js';
import { withDeadline } from './deadline.js';

export interface PoolOptions extends Omit<ConnectOptions, 'tunnel'> {
  /** Finds a host by name, for proxyJump. */
  readonly resolveHost: (name: string) => Host | undefined;
}

const CLOSE_GRACE_MS = 2000;

/**
 * One connection per host name, shared by concurrent callers; a jump host's one connection
 * carries the tunnels of every target behind it. A failed connect is not kept: the next
 * call tries again, except through a jump host, whose failure its later targets share at
 * once for the rest of the pool's life (one run) or until forgetFailedJumps (one cycle of metrix run). A connection that drops leaves the pool by itself. `release` closes a
 * host's connection when the run is done with it; a jump host's closes once neither it nor
 * any target behind it is held.
 */
export class ConnectionPool {
  readonly #live = new Map<string, Promise<Outcome<SshConnection>>>();
  readonly #open = new Set<SshConnection>();
  readonly #jumpHosts = new Set<string>();
  // Who holds each host's connection: the host itself (from get until release) and, for a
  // jump host, each target connected through it.
  readonly #holders = new Map<string, Set<string>>();
  // Aborted by closeAll: dials still under way (a silent host) give up instead of holding the close.
  readonly #closing = new AbortController();
  // A jump host that could not be reached is not dialed again by every later wave of targets
  // behind it (200 targets behind a stopped bastion would each wait out connectTimeout).
  readonly #failedJumps = new Map<string, Failure>();

  constructor(private readonly options: PoolOptions) {
    // Every dial under way listens on it, `concurrency` of them at once: not a leak.
    setMaxListeners(0, this.#closing.signal);
  }

  /** Connections open now, jump hosts included. */
  get openConnections(): number {
    return this.#open.size;
  }

  get(host: Host): Promise<Outcome<SshConnection>> {
    // Checked on the whole chain up front: a loop found while connecting could deadlock two
    // hosts that wait for each other's pending connection.
    const chain = this.#checkJumpChain(host);
    if (!chain.ok) return Promise.resolve(chain);
    this.#hold(host.name, host.name);
    for (let current = host; current.proxyJump !== undefined; ) {
      const jump = this.options.resolveHost(current.proxyJump)!;
      this.#hold(jump.name, current.name);
      current = jump;
    }
    return this.#get(host);
  }

  /**
   * The caller is done with the host: closes its connection (gracefully, then destroyed),
   * then the jump hosts behind it that nobody holds any more. A later get reconnects. Never rejects.
   */
  release(host: Host): Promise<void> {
    return this.#letGo(host.name, host.name);
  }

  /** Jump hosts that failed are dialed again from now on (a new cycle of metrix run). */
  forgetFailedJumps(): void {
    this.#failedJumps.clear();
  }

  /** Drops a host's connection, e.g. after a command timed out on it; jump hosts stay. */
  discard(host: Host): void {
    if (this.#jumpHosts.has(host.name)) return;
    const pending = this.#live.get(host.name);
    this.#live.delete(host.name);
    void pending?.then((outcome) => outcome.ok && outcome.value.destroy());
  }

  /** Closes every connection, targets before the jump hosts that carry them. Always settles. */
  async closeAll(): Promise<void> {
    this.#closing.abort();
    const pending = [...this.#live.entries()];
    this.#live.clear();
    this.#holders.clear();
    const settled = await Promise.all(pending.map(async ([name, outcome]) => ({ name, outcome: await outcome })));
    const open = settled.flatMap(({ name, outcome }) => (outcome.ok ? [{ name, connection: outcome.value }] : []));
    const closeWhere = (jump: boolean): Promise<void[]> =>
      Promise.all(open.filter((o) => this.#jumpHosts.has(o.name) === jump).map((o) => o.connection.close(CLOSE_GRACE_MS)));
    await closeWhere(false);
    await closeWhere(true);
    for (const stray of this.#open) stray.destroy();
    this.#open.clear();
    this.#jumpHosts.clear();
  }

  #hold(name: string, holder: string): void {
    const holders = this.#holders.get(name) ?? new Set<string>();
    holders.add(holder);
    this.#holders.set(name, holders);
  }

  // State changes happen at once, so a get racing with this close starts a fresh connection.
  async #letGo(name: string, holder: string): Promise<void> {
    const holders = this.#holders.get(name);
    if (holders === undefined || !holders.delete(holder) || holders.size > 0) return;
    this.#holders.delete(name);
    const pending = this.#live.get(name);
    this.#live.delete(name);
    const jumpName = this.options.resolveHost(name)?.proxyJump;
    const outcome = await pending;
    if (outcome?.ok) await outcome.value.close(CLOSE_GRACE_MS);
    // The target's tunnel is gone before its jump host's connection goes.
    if (jumpName !== undefined) await this.#letGo(this.options.resolveHost(jumpName)?.name ?? jumpName, name);
  }

  #checkJumpChain(host: Host): Outcome<void> {
    const seen = [host.name];
    for (let current = host; current.proxyJump !== undefined; ) {
      const next = this.options.resolveHost(current.proxyJump);
      if (next === undefined) return fail('ssh', `proxyJump "${current.proxyJump}" of ${current.name} names no known host`);
      if (seen.includes(next.name)) return fail('ssh', `proxyJump loop: ${[...seen, next.name].join(' -> ')}`);
      seen.push(next.name);
      current = next;
    }
    return ok(undefined);
  }

  #get(host: Host): Promise<Outcome<SshConnection>> {
    const existing = this.#live.get(host.name);
    if (existing) return existing;
    const pending: Promise<Outcome<SshConnection>> = this.#connect(host).then((outcome) => {
      const forget = (): void => {
        if (this.#live.get(host.name) === pending) this.#live.delete(host.name);
      };
      if (!outcome.ok) {
        forget();
        return outcome;
      }
      const connection = outcome.value;
      this.#open.add(connection);
      connection.onClose(() => {
        forget();
        this.#open.delete(connection);
      });
      return outcome;
    });
    this.#live.set(host.name, pending);
    return pending;
  }

  async #connect(host: Host): Promise<Outcome<SshConnection>> {
    if (host.proxyJump === undefined) return connectHost(host, { ...this.options, signal: this.#closing.signal });
    const jump = this.options.resolveHost(host.proxyJump);
    if (jump === undefined) return fail('ssh', `proxyJump "${host.proxyJump}" of ${host.name} names no known host`);
    this.#jumpHosts.add(jump.name);
    const failedBefore = this.#failedJumps.get(jump.name);
    if (failedBefore) return fail(failedBefore.reason, `${host.name} is behind jump host ${jump.name}, which failed earlier in this run: ${failedBefore.message}`);
    const via = await this.#get(jump);
    if (!via.ok) {
      this.#failedJumps.set(jump.name, via.failure);
      return fail(via.failure.reason, `${host.name} is behind jump host ${jump.name}: ${via.failure.message}`);
    }
    const where = `${host.name} (${host.address}:${host.port} via ${jump.name})`;
    const timeoutMs = this.options.connectTimeoutMs;
    let tunnel: RemoteChannel | undefined;
    try {
      tunnel = await withDeadline<RemoteChannel | undefined>(
        via.value.forwardOut(host.address, host.port),
        timeoutMs,
        () => undefined,
        (late) => late?.destroy(),
      );
    } catch (err) {
      return fail('unreachable', `cannot reach ${where}: ${errorMessage(err)}`);
    }
    if (tunnel === undefined) return fail('connect-timeout', `no tunnel to ${where} within ${timeoutMs} ms`);
    return connectHost(host, { ...this.options, tunnel: { sock: tunnel, via: jump.name }, signal: this.#closing.signal });
  }
}
