import type { Host } from '../config/types.js';
import { fail, ok, type Failure, type Outcome } from '../result.js';
import { Resident, type ResidentEnd, type ResidentProcess } from './resident.js';
import type { ExecRequest, ExecResult, Transport } from './transport.js';

/** What a transport kind (SSH, local) provides for keeping collectors resident. */
export interface ResidentStarter {
  /** Starts the host's collector with --serve (dialing first if its connection is gone). */
  startResident(host: Host): Promise<Outcome<ResidentProcess>>;
  /** The failure to report when the resident ends while a poll waits for it. */
  describeEnd(host: Host, end: ResidentEnd): Failure;
  /** The resident hung: drop what carries it too (a connection that may be dead without knowing it yet). */
  discard(host: Host): void;
  /** A new cycle begins: failures remembered for one cycle only (a failed jump host) are forgotten. */
  newCycle(): void;
  close(): Promise<void>;
}

export interface BackoffPolicy {
  /**
   * The cycle length. The first failure is retried at the next cycle; after the n-th in a row,
   * 2^(n-2) cycles are skipped, at most maxMs worth.
   */
  readonly baseMs: number;
  readonly maxMs: number;
}

interface Failing {
  readonly failures: number;
  readonly retryAt: number;
  readonly last: Failure;
}

/**
 * The transport of `metrix run`: each host keeps one resident collector (over a connection
 * kept open between cycles), asked once per poll. A resident that dies, hangs past its
 * deadline or misbehaves is killed and started again at the next poll; a host that keeps
 * failing is retried with backoff and, in between, fails at once with its last reason, so it
 * still has a poll (host_up=0) every cycle without costing a dial every cycle.
 */
export class WarmTransport implements Transport {
  readonly #residents = new Map<string, Resident>();
  readonly #failing = new Map<string, Failing>();
  #starts = 0;

  constructor(
    private readonly starter: ResidentStarter,
    private readonly clock: () => number,
    private readonly backoff: BackoffPolicy,
  ) {}

  /** Residents started so far, first starts and restarts alike (tests and benchmarks). */
  get starts(): number {
    return this.#starts;
  }

  /** Hosts whose resident collector is up now. */
  get residents(): number {
    return [...this.#residents.values()].filter((resident) => resident.alive).length;
  }

  newCycle(): void {
    this.starter.newCycle();
  }

  async exec(host: Host, request: ExecRequest): Promise<Outcome<ExecResult>> {
    const resident = await this.#residentOf(host);
    if (!resident.ok) return this.#failed(host, resident.failure);
    const answer = await resident.value.ask(request.args.join(' '), request);
    if (!answer.ok) {
      resident.value.kill();
      if (answer.failure.reason === 'command-timeout') this.starter.discard(host);
      return this.#failed(host, answer.failure);
    }
    this.#failing.delete(host.name);
    return ok({ stdout: `${answer.value}\n`, stderr: '' });
  }

  /** Kept: the point of a warm transport. */
  async release(): Promise<void> {}

  async close(): Promise<void> {
    for (const resident of this.#residents.values()) resident.kill();
    this.#residents.clear();
    await this.starter.close();
  }

  async #residentOf(host: Host): Promise<Outcome<Resident>> {
    const current = this.#residents.get(host.name);
    if (current?.alive) return ok(current);
    this.#residents.delete(host.name);
    const failing = this.#failing.get(host.name);
    if (failing && this.#backingOff(failing)) {
      const { reason, message } = failing.last;
      const cycles = Math.ceil((failing.retryAt - this.backoff.baseMs / 2 - this.clock()) / this.backoff.baseMs);
      return fail(reason, `${message} (failed ${failing.failures} times in a row; tried again in ${cycles} cycle${cycles === 1 ? '' : 's'})`);
    }
    this.#starts++;
    const started = await this.starter.startResident(host);
    if (!started.ok) return started;
    const resident = new Resident(started.value, (end) => this.starter.describeEnd(host, end));
    this.#residents.set(host.name, resident);
    return ok(resident);
  }

  // Cycles start on boundaries a little before the failure time + k cycles: half a cycle of slack.
  #backingOff(failing: Failing): boolean {
    return this.clock() < failing.retryAt - this.backoff.baseMs / 2;
  }

  #failed(host: Host, failure: Failure): Outcome<never> {
    const before = this.#failing.get(host.name);
    // While backing off, the stored failure stays the one that started it.
    if (before && this.#backingOff(before)) return fail(failure.reason, failure.message);
    const failures = (before?.failures ?? 0) + 1;
    const most = Math.max(1, Math.floor(this.backoff.maxMs / this.backoff.baseMs));
    const skipped = failures < 2 ? 0 : Math.min(most, 2 ** (failures - 2));
    this.#failing.set(host.name, { failures, retryAt: this.clock() + (skipped + 1) * this.backoff.baseMs, last: failure });
    return fail(failure.reason, failure.message);
  }
}
