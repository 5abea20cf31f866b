import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Host } from '../../src/config/types.js';
import { KeyStore } from '../../src/crypto/key-store.js';
import { pollHosts } from '../../src/poll/run.js';
import type { ExecResult, Transport } from '../../src/poll/transport.js';
import type { Outcome } from '../../src/result.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';

/**
 * The pool's own rules, with a transport whose every exec waits until the test answers it:
 * which hosts start after a stop, which results a stopped run keeps, and that one host's
 * exception stays that host's failure.
 */
class HeldTransport implements Transport {
  readonly started: string[] = [];
  readonly released: string[] = [];
  readonly #answers = new Map<string, (outcome: Outcome<ExecResult>) => void>();
  #waiters: Array<() => void> = [];

  exec(host: Host): Promise<Outcome<ExecResult>> {
    this.started.push(host.name);
    this.#waiters.forEach((wake) => wake());
    this.#waiters = [];
    return new Promise((resolve) => this.#answers.set(host.name, resolve));
  }

  /** Answers a host with output that is not a sealed report: the poll ends as that host's failure. */
  answer(name: string): void {
    this.#answers.get(name)!({ ok: true, value: { stdout: 'not sealed', stderr: '' } });
  }

  async release(host: Host): Promise<void> {
    this.released.push(host.name);
  }

  async close(): Promise<void> {}

  /** Resolves once `count` hosts have started. */
  async startedCount(count: number): Promise<void> {
    while (this.started.length < count) await new Promise<void>((wake) => this.#waiters.push(wake));
  }
}

function setup(names: readonly string[]) {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.xml'), `<metrix><hosts>${names.map((name) => `<host name="${name}" transport="local"/>`).join('')}</hosts></metrix>`);
  const config = loadConfig(join(dir, 'config.xml'));
  const keys = KeyStore.open(config.settings.keysDir).store;
  const transport = new HeldTransport();
  let now = 1_000_000;
  return {
    hosts: config.hosts,
    transport,
    ctx: { settings: config.settings, keys, transportOf: () => transport, lastCounters: () => undefined, clock: () => (now += 10) },
  };
}

/** A sleep the test ends by hand: the grace after a stop is over when the test says so. */
function heldSleep() {
  const pending: Array<() => void> = [];
  return { sleep: () => new Promise<void>((resolve) => pending.push(resolve)), end: () => pending.splice(0).forEach((wake) => wake()), pending };
}

describe('pollHosts', () => {
  it('after a stop starts no host, keeps what comes back within the grace, and leaves out what does not', async () => {
    const { hosts, transport, ctx } = setup(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
    const stop = new AbortController();
    const grace = heldSleep();
    const seen: string[] = [];
    const running = pollHosts(hosts, ctx, { concurrency: 2, stop: stop.signal, sleep: grace.sleep, onPoll: (r) => seen.push(r.host) });

    await transport.startedCount(2);
    transport.answer('h1');
    await transport.startedCount(3); // h3 takes h1's place
    stop.abort();
    transport.answer('h2'); // in flight at the stop, back within the grace: kept
    await until(() => seen.includes('h2'));
    expect(grace.pending).toHaveLength(1);
    grace.end(); // h3 never answered
    const run = await running;

    expect(transport.started).toEqual(['h1', 'h2', 'h3']);
    expect(run.polls.map((poll) => poll.host)).toEqual(['h1', 'h2']);
    expect(seen).toEqual(['h1', 'h2']);
    expect(run.stopped).toEqual({ notPolled: ['h3', 'h4', 'h5', 'h6'] });
  });

  it('without a stop polls every host and releases each one as its poll ends', async () => {
    const { hosts, transport, ctx } = setup(['a', 'b', 'c']);
    const running = pollHosts(hosts, ctx, { concurrency: 3 });
    await transport.startedCount(3);
    ['c', 'a', 'b'].forEach((name) => transport.answer(name));
    const run = await running;
    expect(run.stopped).toBeUndefined();
    expect(run.polls.map((poll) => [poll.host, poll.failure?.reason])).toEqual([
      ['a', 'bad-output'],
      ['b', 'bad-output'],
      ['c', 'bad-output'],
    ]);
    await until(() => transport.released.length === 3);
    expect(new Set(transport.released)).toEqual(new Set(['a', 'b', 'c']));
  });

  it('never rejects because of one host: an exception is that host\'s failure alone', async () => {
    const { hosts, transport, ctx } = setup(['ok1', 'boom', 'ok2']);
    const run = pollHosts(hosts, {
      ...ctx,
      lastCounters: (host) => {
        if (host === 'boom') throw new TypeError("Cannot read properties of undefined (reading 'find')");
        return undefined;
      },
    }, { concurrency: 3 });
    await transport.startedCount(2);
    transport.answer('ok1');
    transport.answer('ok2');
    const { polls } = await run;
    expect(polls.map((poll) => poll.host)).toEqual(['ok1', 'boom', 'ok2']);
    const boom = polls.find((poll) => poll.host === 'boom')!;
    expect(boom.failure?.message).toMatch(/reading 'find'/);
    expect(boom.samples.map((sample) => sample.m)).toEqual(['host_up', 'poll_duration_sec']);
    expect(boom.samples[0]).toEqual({ m: 'host_up', v: 0 });
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let turns = 0; !condition(); turns++) {
    if (turns > 1000) throw new Error('condition never held');
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
