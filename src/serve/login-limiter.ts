/**
 * Failed logins, counted per user name and per client address over a sliding window: past the
 * limit, further attempts are refused (429, Retry-After) before any password is checked, so
 * guessing is slow and costs the server nothing. Time is a parameter (tests use a fake clock).
 */
export interface LimiterOptions {
  readonly windowMs: number;
  readonly perUser: number;
  readonly perAddress: number;
  /** Keys remembered at most (oldest dropped): a flood of made-up names cannot fill memory. */
  readonly maxKeys: number;
}

export const LIMITER_DEFAULTS: LimiterOptions = { windowMs: 15 * 60_000, perUser: 5, perAddress: 20, maxKeys: 10_000 };

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: () => number,
    private readonly options: LimiterOptions = LIMITER_DEFAULTS,
  ) {}

  /** Seconds to wait before trying again, or 0 when an attempt may be made now. */
  retryAfter(user: string, address: string): number {
    const now = this.clock();
    const wait = (key: string, limit: number): number => {
      const times = this.recent(key, now);
      return times.length < limit ? 0 : times[times.length - limit]! + this.options.windowMs - now;
    };
    const ms = Math.max(wait(`u:${user}`, this.options.perUser), wait(`a:${address}`, this.options.perAddress));
    return ms <= 0 ? 0 : Math.ceil(ms / 1000);
  }

  fail(user: string, address: string): void {
    const now = this.clock();
    for (const key of [`u:${user}`, `a:${address}`]) {
      const times = this.recent(key, now);
      times.push(now);
      this.failures.delete(key);
      this.failures.set(key, times.slice(-Math.max(this.options.perUser, this.options.perAddress)));
    }
    while (this.failures.size > this.options.maxKeys) this.failures.delete(this.failures.keys().next().value!);
  }

  /** A good login clears the user's count (not the address': one good account does not unlock guessing others). */
  succeed(user: string): void {
    this.failures.delete(`u:${user}`);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.options.windowMs);
  }
}
