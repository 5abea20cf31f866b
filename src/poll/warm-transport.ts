import type { Host } from '../config/types.js';
import { fail, ok, type Failure, type Outcome } from '../result.js';
import { REPLACED_EXIT } from '../../client-script/src/protocol.js';
import { Resident, type ResidentEnd, type ResidentProcess } from './resident.js';
import type { ExecRequest, ExecResult, Transport } from './transport.js';

/** What a transport kind (SSH, local) provides for keeping collectors resident. */
export interface ResidentStarter {
  /** Starts the host's collector with --serve and these options (dialing first if its connection is gone). */
  startResident(host: Host, options: readonly string[]): Promise<Outcome<ResidentProcess>>;
  /** The failure to report when the resident ends while a poll waits for it. */
  describeEnd(host: Host, end: ResidentEnd): Failure;
  /** A resident misbehaved or hung: drop what carries it too (a connection that may be dead without knowing it yet). */
  discard(host: Host): void;
  /** A new cycle begins: what is remembered for one cycle only (a failed jump host, known_hosts as read) is refreshed. */
  newCycle(): void;
  close(): Promise<void>;
}

export interface WarmOptions {
  /** Most cycles skipped between two tries of a host that keeps failing. */
  readonly maxSkippedCycles: number;
  /** A resident with no request for this long exits by itself (a poller that vanished without closing). */
  readonly idleMs: number;
}

interface Failing {
  readonly failures: number;
  /** The first cycle in which the host is tried again. */
  readonly retryCycle: number;
  readonly last: Failure;
}

/**
 * The transport of `metrix run`: each host keeps one resident collector (over a connection
 * kept open between cycles), asked once per poll. A resident that dies, hangs past its
 * deadline or misbehaves is killed and started again at the next poll; one that finds its
 * file replaced by an upload is started again at once, within the same poll. A host that keeps
 * failing is retried at the next cycle, then after skipping 1, 2, 4 … cycles, and in between
 * fails at once with its last reason: it still has a poll (host_up=0) every cycle without
 * costing a dial every cycle. Backoff counts cycles, not time, so a failure that lands late in
 * its cycle (a connect timeout) is retried at the next one all the same.
 */
export class WarmTransport implements Transport {
  readonly #residents = new Map<string, Resident>();
  readonly #failing = new Map<string, Failing>();
  #cycle = 0;
  #starts = 0;
  #closed = false;

  constructor(
    private readonly starter: ResidentStarter,
    private readonly options: WarmOptions,
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
    this.#cycle++;
    this.starter.newCycle();
  }

  async exec(host: Host, request: ExecRequest): Promise<Outcome<ExecResult>> {
    const first = await this.#ask(host, request);
    // A new upload: the old resident said so instead of answering; its successor answers now.
    const answer = first.replaced ? await this.#ask(host, request) : first;
    if (!answer.outcome.ok) return this.#failed(host, answer.outcome.failure);
    this.#failing.delete(host.name);
    return ok({ stdout: `${answer.outcome.value}\n`, stderr: '' });
  }

  /** Kept: the point of a warm transport. */
  async release(): Promise<void> {}

  /** Ends every resident and connection; a poll still under way fails, and none starts after. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const resident of this.#residents.values()) resident.kill();
    this.#residents.clear();
    await this.starter.close();
  }

  /** Forgets hosts no longer polled (a reload removed them): their residents end. */
  keepOnly(names: ReadonlySet<string>): void {
    for (const [name, resident] of this.#residents) {
      if (names.has(name)) continue;
      resident.kill();
      this.#residents.delete(name);
      this.#failing.delete(name);
    }
  }

  async #ask(host: Host, request: ExecRequest): Promise<{ outcome: Outcome<string>; replaced: boolean }> {
    const resident = await this.#residentOf(host);
    if (!resident.ok) return { outcome: resident, replaced: false };
    const outcome = await resident.value.ask(request.args.join(' '), request);
    if (outcome.ok) return { outcome, replaced: false };
    const end = resident.value.end;
    const replaced = end?.kind === 'exit' && end.code === REPLACED_EXIT;
    resident.value.kill();
    if (!replaced) this.starter.discard(host);
    return { outcome, replaced };
  }

  async #residentOf(host: Host): Promise<Outcome<Resident>> {
    if (this.#closed) return fail('collector-failed', 'the run is ending');
    const current = this.#residents.get(host.name);
    if (current?.alive) return ok(current);
    this.#residents.delete(host.name);
    const failing = this.#failing.get(host.name);
    if (failing && this.#cycle < failing.retryCycle) {
      const { reason, message } = failing.last;
      const cycles = failing.retryCycle - this.#cycle;
      return fail(reason, `${message} (${failing.failures} failures in a row; tried again in ${cycles} cycle${cycles === 1 ? '' : 's'})`);
    }
    this.#starts++;
    const started = await this.starter.startResident(host, ['--idle-ms', String(this.options.idleMs)]);
    if (!started.ok) return started;
    const resident = new Resident(started.value, (end) => this.starter.describeEnd(host, end));
    if (this.#closed) {
      resident.kill();
      return fail('collector-failed', 'the run is ending');
    }
    this.#residents.set(host.name, resident);
    return ok(resident);
  }

  #failed(host: Host, failure: Failure): Outcome<never> {
    const before = this.#failing.get(host.name);
    // While backing off, the stored failure stays the one that started it.
    if (before && this.#cycle < before.retryCycle) return fail(failure.reason, failure.message);
    const failures = (before?.failures ?? 0) + 1;
    const skipped = failures < 2 ? 0 : Math.min(this.options.maxSkippedCycles, 2 ** (failures - 2));
    this.#failing.set(host.name, { failures, retryCycle: this.#cycle + skipped + 1, last: failure });
    return fail(failure.reason, failure.message);
  }
}
