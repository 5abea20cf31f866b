/**
 * Password checks, rate-limited. Failed logins are counted over a sliding window, per
 * (user, client address), per user and per client address; past a limit further attempts are
 * refused (429, Retry-After) before any password is checked, so guessing is slow and costs the
 * server nothing. Time is a parameter (tests use a fake clock).
 *
 * An attempt counts as failed from the moment it starts (a success takes it back): scrypt takes
 * tens of ms, and parallel attempts must not all slip past the check before any is recorded.
 * For the same reason at most `inFlightPerAddress` checks run at once per address and
 * `inFlight` in all; more is a 429 too.
 *
 * Why three keys: (user, address) stops guessing one user's password from one place; the
 * per-user cap, larger, stops guessing it from many places; the per-address cap stops guessing
 * across many names. A lock-out by others is what they cost: so the per-user and per-address
 * caps do not apply to a user at an address it has signed in from recently (everyone behind
 * one reverse proxy, or SSH tunnels, share 127.0.0.1) — only that pair's own limit does, which
 * someone else can exhaust only from that same address.
 */
export interface LimiterOptions {
  readonly windowMs: number;
  /** Failures of one user from one address. */
  readonly perUserAddress: number;
  /** Failures of one user from anywhere (but from addresses it is known at). */
  readonly perUser: number;
  /** Failures from one address, any user (but users known at it). */
  readonly perAddress: number;
  /** Password checks running at once from one address, and in all. */
  readonly inFlightPerAddress: number;
  readonly inFlight: number;
  /** How long a successful (user, address) is remembered as known. */
  readonly knownMs: number;
  /** Keys remembered at most (oldest dropped): a flood of made-up names cannot fill memory. */
  readonly maxKeys: number;
}

export const LIMITER_DEFAULTS: LimiterOptions = {
  windowMs: 15 * 60_000,
  perUserAddress: 5,
  perUser: 50,
  perAddress: 20,
  inFlightPerAddress: 2,
  inFlight: 8,
  knownMs: 30 * 86_400_000,
  maxKeys: 10_000,
};

/** A password check allowed to run: hand it back to `end` with its outcome. */
export interface Attempt {
  readonly keys: readonly string[];
  readonly address: string;
  readonly known: string;
  readonly at: number;
}

export type Admission = { readonly attempt: Attempt } | { readonly wait: number; readonly why: string };

/** User names are checked at most 64 characters long; a longer one is keyed by its start. */
const nameKey = (user: string): string => user.slice(0, 100);

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  /** `user address` → when it last signed in there. */
  private readonly known = new Map<string, number>();
  private readonly running = new Map<string, number>();
  private runningTotal = 0;
  private readonly options: LimiterOptions;

  constructor(
    private readonly clock: () => number,
    options: Partial<LimiterOptions> = {},
  ) {
    this.options = { ...LIMITER_DEFAULTS, ...options };
  }

  /** Admits a password check (counted as failed until `end` says otherwise), or says how long to wait and why. */
  begin(user: string, address: string): Admission {
    const now = this.clock();
    const name = nameKey(user);
    const wait = this.waitMs(name, address, now);
    if (wait > 0) return { wait: Math.ceil(wait / 1000), why: 'too many failed logins' };
    if ((this.running.get(address) ?? 0) >= this.options.inFlightPerAddress || this.runningTotal >= this.options.inFlight) {
      return { wait: 1, why: 'other logins are being checked' };
    }
    this.running.set(address, (this.running.get(address) ?? 0) + 1);
    this.runningTotal++;
    const knownAt = this.isKnown(name, address, now);
    const keys = [`ua:${name} ${address}`, ...(knownAt ? [] : [`u:${name}`, `a:${address}`])];
    for (const key of keys) this.push(key, now);
    return { attempt: { keys, address, known: `${name} ${address}`, at: now } };
  }

  /** The check is over: a success takes its failure back and makes the user known at the address. */
  end(attempt: Attempt, success: boolean): void {
    const left = (this.running.get(attempt.address) ?? 1) - 1;
    if (left > 0) this.running.set(attempt.address, left);
    else this.running.delete(attempt.address);
    this.runningTotal--;
    if (!success) return;
    for (const key of attempt.keys) {
      const times = this.failures.get(key);
      const i = times?.lastIndexOf(attempt.at) ?? -1;
      if (times && i >= 0) times.splice(i, 1);
    }
    this.failures.delete(attempt.keys[0]!);
    this.known.delete(attempt.known);
    this.known.set(attempt.known, this.clock());
    while (this.known.size > this.options.maxKeys) this.known.delete(this.known.keys().next().value!);
  }

  private isKnown(name: string, address: string, now: number): boolean {
    const at = this.known.get(`${name} ${address}`);
    return at !== undefined && at > now - this.options.knownMs;
  }

  private waitMs(name: string, address: string, now: number): number {
    const wait = (key: string, limit: number): number => {
      const times = this.recent(key, now);
      return times.length < limit ? 0 : times[times.length - limit]! + this.options.windowMs - now;
    };
    let ms = wait(`ua:${name} ${address}`, this.options.perUserAddress);
    if (!this.isKnown(name, address, now)) ms = Math.max(ms, wait(`u:${name}`, this.options.perUser), wait(`a:${address}`, this.options.perAddress));
    return Math.max(0, ms);
  }

  private push(key: string, now: number): void {
    const times = this.recent(key, now);
    times.push(now);
    this.failures.delete(key);
    this.failures.set(key, times.slice(-Math.max(this.options.perUserAddress, this.options.perUser, this.options.perAddress)));
    while (this.failures.size > this.options.maxKeys) this.failures.delete(this.failures.keys().next().value!);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.options.windowMs);
  }
}
