import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../src/config/types.js';
import { startFarm, type Farm } from '../farm/farm.js';
import { sshdMissing } from '../farm/sshd.js';
import { LIMITS, makeTransport, noSecrets, placeCollector, reapHungCollector } from './helpers.js';

let farm: Farm;

describe.skipIf(sshdMissing())('SshTransport.exec against real sshd', () => {
  beforeAll(async () => {
    farm = await startFarm({ servers: 4 });
  });
  afterAll(async () => {
    await farm?.stop();
  });

  it('runs <node> <remoteDir>/metrix-collector.js with every argument intact', async () => {
    const host = farm.host('echo', farm.servers[0]!, { remoteDir: `${farm.dir}/remote/with space/it's` });
    const { transport } = makeTransport([host]);
    await placeCollector(transport, host, 'echo');
    const args = ['--challenge', 'a b', "it's", '$HOME', '`id`', '; exit 7', 'é', ''];
    const outcome = await transport.exec(host, { ...LIMITS, args });
    await transport.close();
    expect(outcome).toEqual({ ok: true, value: { stdout: JSON.stringify(args), stderr: '' } });
  });

  it('reports a non-zero exit as collector-failed with the status and the stderr tail', async () => {
    const host = farm.host('fails', farm.servers[0]!);
    const { transport } = makeTransport([host]);
    await placeCollector(transport, host, 'fail');
    const outcome = await transport.exec(host, { ...LIMITS, args: [] });
    await transport.close();
    expect(outcome).toEqual({
      ok: false,
      failure: { reason: 'collector-failed', message: 'collector on fails exited with status 3: collector: /proc/meminfo: permission denied' },
    });
  });

  it('says "not uploaded" when there is no collector on the host', async () => {
    const host = farm.host('bare', farm.servers[0]!);
    const { transport } = makeTransport([host]);
    const outcome = await transport.exec(host, { ...LIMITS, args: [] });
    await transport.close();
    expect(outcome.ok || outcome.failure).toEqual({
      reason: 'not-uploaded',
      message: `no collector at ${host.remoteDir}/metrix-collector.js on bare: run metrix upload -h bare`,
    });
  });

  it('names a missing node binary', async () => {
    const host = farm.host('nonode', farm.servers[0]!, { node: 'node-that-is-not-there' });
    const { transport } = makeTransport([host]);
    await placeCollector(transport, host, 'echo');
    const outcome = await transport.exec(host, { ...LIMITS, args: [] });
    await transport.close();
    expect(outcome.ok || outcome.failure.reason).toBe('collector-failed');
    expect(outcome.ok || outcome.failure.message).toContain('exited with status 127 (is "node-that-is-not-there" the node binary');
  });

  it('stops a collector that never finishes: command-timeout, and the promise settles', async () => {
    const host = farm.host('hangs', farm.servers[1]!);
    const { transport } = makeTransport([host]);
    await placeCollector(transport, host, 'hang');
    const outcome = await transport.exec(host, { ...LIMITS, args: [] });
    await transport.close();
    reapHungCollector(host);
    expect(outcome.ok || outcome.failure).toEqual({
      reason: 'command-timeout',
      message: `collector on hangs did not finish within ${LIMITS.timeoutMs} ms; stopped`,
    });
  });

  it('cuts off a collector that floods stdout: output-too-large', async () => {
    const host = farm.host('floods', farm.servers[1]!);
    const { transport } = makeTransport([host]);
    await placeCollector(transport, host, 'flood');
    const outcome = await transport.exec(host, { timeoutMs: 10_000, maxOutputBytes: 256 * 1024, args: [] });
    await transport.close();
    expect(outcome.ok || outcome.failure).toEqual({
      reason: 'output-too-large',
      message: 'collector on floods printed more than 262144 bytes; stopped',
    });
  });

  it('reuses one connection per host in a run, and close() ends them all', async () => {
    const server = farm.servers[2]!;
    const host = farm.host('reused', server);
    const before = server.connections();
    const { transport } = makeTransport([host]);
    await placeCollector(transport, host, 'echo');
    for (const round of ['1', '2', '3']) {
      const outcome = await transport.exec(host, { ...LIMITS, args: [round] });
      expect(outcome.ok && outcome.value.stdout).toBe(`["${round}"]`);
    }
    expect(server.connections() - before).toBe(1);
    await transport.close();
    await expect.poll(() => server.log().match(/Disconnected from user/g)?.length ?? 0).toBeGreaterThanOrEqual(1);
  });

  it('polls 24 hosts on 4 sshd at once: every one answers for itself, one connection each', async () => {
    const hosts: Host[] = Array.from({ length: 24 }, (_, i) => farm.host(`node${String(i).padStart(2, '0')}`, farm.servers[i % 4]!));
    const before = farm.servers.map((s) => s.connections());
    // 24 handshakes and Node start-ups at once on a small CI box take seconds: this test is
    // about concurrency, not limits.
    const { transport } = makeTransport(hosts, noSecrets, 10_000);
    await Promise.all(hosts.map((host) => placeCollector(transport, host, 'echo')));
    const limits = { ...LIMITS, timeoutMs: 20_000 };
    const outcomes = await Promise.all(hosts.map((host) => transport.exec(host, { ...limits, args: [host.name] })));
    await transport.close();
    expect(outcomes.map((o) => (o.ok ? o.value.stdout : o.failure.message))).toEqual(hosts.map((h) => `["${h.name}"]`));
    expect(farm.servers.map((s, i) => s.connections() - before[i]!)).toEqual([6, 6, 6, 6]);
  });
});
