import { describe, expect, it } from 'vitest';
import type { Host } from '../../src/config/types.js';
import { WarmTransport } from '../../src/poll/warm-transport.js';
import { nextBoundary, nextCycle } from '../../src/poll/schedule.js';
import { hostsByName, SshTransport } from '../../src/ssh/ssh-transport.js';
import { join } from 'node:path';
import { closedPort } from '../farm/hostile.js';
import { generateKey } from '../farm/keys.js';
import { tempDir } from '../helpers/tmp.js';

const REQUEST = { args: ['--challenge', 'YQ==', '--deadline-ms', '5000'], timeoutMs: 5000, maxOutputBytes: 1 << 20 };
const EVERY = 60_000;

function hostOn(port: number, identityFile: string): Host {
  return {
    name: 'gone', transport: 'ssh', address: '127.0.0.1', port, user: 'nobody', identityFile, passphraseEnv: undefined,
    knownHosts: '/dev/null', hostKeyPolicy: 'strict', node: 'node', remoteDir: '/tmp/none', proxyJump: undefined, groups: [],
  };
}

describe('WarmTransport backoff, against a port where nothing listens', () => {
  it('retries at the next cycle, then backs off 1, 2, 4 … cycles (capped), failing at once in between with its reason', async () => {
    const key = await generateKey(join(tempDir(), 'id'), 'ed25519');
    const host = hostOn(await closedPort(), key.path);
    const ssh = new SshTransport({ connectTimeoutMs: 2000, secrets: { passphrase: () => undefined, agentSocket: undefined }, resolveHost: hostsByName([host]) });
    const warm = new WarmTransport(ssh, { maxSkippedCycles: 4, idleMs: 60_000 });
    const dialedAt: number[] = [];
    const messages: string[] = [];
    try {
      for (let cycle = 0; cycle < 18; cycle++) {
        warm.newCycle();
        const before = warm.starts;
        const outcome = await warm.exec(host, REQUEST);
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) {
          expect(outcome.failure.reason).toBe('unreachable');
          messages.push(outcome.failure.message);
        }
        if (warm.starts > before) dialedAt.push(cycle);
      }
    } finally {
      await warm.close();
    }
    // Dialed at cycles 0 and 1, then after skipping 1, 2, 4 cycles, then 4 again (the cap).
    expect(dialedAt).toEqual([0, 1, 3, 6, 11, 16]);
    expect(messages[2]).toMatch(/ECONNREFUSED.*\(2 failures in a row; tried again in 1 cycle\)$/);
    expect(messages[4]).toMatch(/\(3 failures in a row; tried again in 2 cycles\)$/);
  });

  it('polls nothing once closed: a poll that comes late fails instead of starting a resident nobody would end', async () => {
    const key = await generateKey(join(tempDir(), 'id'), 'ed25519');
    const host = hostOn(await closedPort(), key.path);
    const ssh = new SshTransport({ connectTimeoutMs: 2000, secrets: { passphrase: () => undefined, agentSocket: undefined }, resolveHost: hostsByName([host]) });
    const warm = new WarmTransport(ssh, { maxSkippedCycles: 4, idleMs: 60_000 });
    await warm.close();
    const outcome = await warm.exec(host, REQUEST);
    expect(outcome.ok ? 'ok' : outcome.failure.message).toBe('the run is ending');
    expect(warm.starts).toBe(0);
  });
});

describe('cycle schedule', () => {
  it('starts cycles on wall-clock multiples of the interval', () => {
    expect(nextBoundary(Date.UTC(2026, 0, 1, 12, 0, 37), EVERY)).toBe(Date.UTC(2026, 0, 1, 12, 1, 0));
    expect(nextBoundary(Date.UTC(2026, 0, 1, 12, 1, 0), EVERY)).toBe(Date.UTC(2026, 0, 1, 12, 2, 0));
  });

  it.each([
    ['on time', 0, 20_000, 60_000, 0],
    ['ending on the boundary itself', 0, 60_000, 120_000, 1],
    ['past one boundary', 0, 75_000, 120_000, 1],
    ['past three boundaries', 0, 200_000, 240_000, 3],
  ])('a cycle %s', (_name, startedAt, endedAt, at, skipped) => {
    expect(nextCycle(startedAt, endedAt, EVERY)).toEqual({ at, skipped });
  });
});
