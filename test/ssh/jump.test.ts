import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../src/config/types.js';
import { startFarm, type Farm } from '../farm/farm.js';
import pLimit from 'p-limit';
import { closedPort, startSilentServer } from '../farm/hostile.js';
import { sshdMissing, type SshdServer } from '../farm/sshd.js';
import { LIMITS, makeTransport, noSecrets, placeCollector } from './helpers.js';

let farm: Farm;
let bastionServer: SshdServer;

describe.skipIf(sshdMissing())('jump host (proxyJump)', () => {
  beforeAll(async () => {
    farm = await startFarm({ servers: 3 });
    bastionServer = farm.servers[0]!;
  });
  afterAll(async () => {
    await farm?.stop();
  });

  it('reaches two targets through ONE connection to the bastion', async () => {
    const bastion = farm.host('bastion', bastionServer);
    const targets: Host[] = [1, 2, 1, 2].map((i, n) => farm.host(`wn${n}`, farm.servers[i]!, { proxyJump: 'bastion' }));
    const before = farm.servers.map((s) => s.connections());
    const { transport } = makeTransport([bastion, ...targets], noSecrets, 10_000);
    await Promise.all(targets.map((t) => placeCollector(transport, t, 'echo')));
    const outcomes = await Promise.all(targets.map((t) => transport.exec(t, { ...LIMITS, timeoutMs: 10_000, args: [t.name] })));
    await transport.close();
    expect(outcomes.map((o) => (o.ok ? o.value.stdout : o.failure.message))).toEqual(targets.map((t) => `["${t.name}"]`));
    expect(farm.servers.map((s, i) => s.connections() - before[i]!)).toEqual([1, 2, 2]);
    expect(bastionServer.log()).toMatch(/Accepted publickey for \S+ from 127\.0\.0\.1/);
  });

  it('a target behind an unreachable bastion fails with the bastion named', async () => {
    const bastion = farm.host('deadbastion', { port: await closedPort() });
    const target = farm.host('behind', farm.servers[1]!, { proxyJump: 'deadbastion' });
    const { transport } = makeTransport([bastion, target]);
    const outcome = await transport.nodeVersion(target);
    await transport.close();
    expect(outcome.ok || outcome.failure.reason).toBe('unreachable');
    expect(outcome.ok || outcome.failure.message).toMatch(/^behind is behind jump host deadbastion: cannot reach deadbastion /);
  });

  it('a target port closed behind the bastion is unreachable via the bastion', async () => {
    const port = await closedPort();
    const bastion = farm.host('bastion2', bastionServer);
    const target = farm.host('gone', { port }, { proxyJump: 'bastion2' });
    const { transport } = makeTransport([bastion, target]);
    const outcome = await transport.nodeVersion(target);
    await transport.close();
    expect(outcome.ok || outcome.failure.reason).toBe('unreachable');
    expect(outcome.ok || outcome.failure.message).toContain(`cannot reach gone (127.0.0.1:${port} via bastion2)`);
  });

  it('refuses a proxyJump loop and an unknown jump host instead of hanging', async () => {
    const a = farm.host('loop-a', farm.servers[1]!, { proxyJump: 'loop-b' });
    const b = farm.host('loop-b', farm.servers[2]!, { proxyJump: 'loop-a' });
    const lost = farm.host('lost', farm.servers[1]!, { proxyJump: 'nobody' });
    const { transport } = makeTransport([a, b, lost]);
    const [loopA, loopB, unknown] = await Promise.all([transport.nodeVersion(a), transport.nodeVersion(b), transport.nodeVersion(lost)]);
    await transport.close();
    expect(loopA.ok || loopA.failure).toEqual({ reason: 'ssh', message: 'proxyJump loop: loop-a -> loop-b -> loop-a' });
    expect(loopB.ok || loopB.failure).toEqual({ reason: 'ssh', message: 'proxyJump loop: loop-b -> loop-a -> loop-b' });
    expect(unknown.ok || unknown.failure).toEqual({ reason: 'ssh', message: 'proxyJump "nobody" of lost names no known host' });
  });

  it('is dialed once per run: targets in later waves share its failure at once', async () => {
    const silent = await startSilentServer();
    try {
      const bastion = farm.host('dead-bastion', { port: silent.port });
      const targets = Array.from({ length: 10 }, (_, i) => farm.host(`behind-dead${i}`, farm.servers[1]!, { proxyJump: 'dead-bastion' }));
      const { transport } = makeTransport([bastion, ...targets], noSecrets, 1000);
      const limit = pLimit(3);
      const outcomes = await Promise.all(targets.map((target) => limit(() => transport.nodeVersion(target))));
      await transport.close();
      expect(silent.accepted()).toBe(1);
      expect(outcomes.map((o) => (o.ok ? 'ok' : o.failure.reason))).toEqual(Array(10).fill('connect-timeout'));
      const later = outcomes.slice(3).map((o) => (o.ok ? '' : o.failure.message));
      for (const message of later) expect(message).toMatch(/^behind-dead\d+ is behind jump host dead-bastion, which failed earlier in this run: no SSH handshake with dead-bastion/);
    } finally {
      await silent.stop();
    }
  });
});
