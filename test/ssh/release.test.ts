import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../src/config/types.js';
import type { SshTransport } from '../../src/ssh/ssh-transport.js';
import { startFarm, type Farm } from '../farm/farm.js';
import { sshdMissing, type SshdServer } from '../farm/sshd.js';
import { makeTransport, noSecrets } from './helpers.js';

// Generous: these tests count connections, not time, and other work may share the machine.
const LIMITS = { timeoutMs: 30_000, maxOutputBytes: 1024 };
const CONNECT_MS = 30_000;

let farm: Farm;

const disconnects = (server: SshdServer): number => server.log().match(/^Disconnected from user/gm)?.length ?? 0;

async function runTrue(transport: SshTransport, host: Host): Promise<void> {
  const outcome = await transport.runCommand(host, ['true'], LIMITS);
  expect(outcome.ok || outcome.failure.message).toBe(true);
}

describe.skipIf(sshdMissing())('release: a host done with closes its connection', () => {
  beforeAll(async () => {
    farm = await startFarm({ servers: 3 });
  });
  afterAll(async () => {
    await farm?.stop();
  });

  it('closes the connection at once, and a later command reconnects', async () => {
    const server = farm.servers[0]!;
    const host = farm.host('once', server);
    const { transport } = makeTransport([host], noSecrets, CONNECT_MS);
    const [connectionsBefore, disconnectsBefore] = [server.connections(), disconnects(server)];
    await runTrue(transport, host);
    expect(transport.openConnections).toBe(1);
    await transport.release(host);
    expect(transport.openConnections).toBe(0);
    await expect.poll(() => disconnects(server) - disconnectsBefore).toBe(1);
    await runTrue(transport, host);
    expect(server.connections() - connectionsBefore).toBe(2);
    await transport.close();
    expect(transport.openConnections).toBe(0);
  });

  it('keeps a jump host open until its last target is released, then closes it', async () => {
    const [bastionServer, a, b] = farm.servers as [SshdServer, SshdServer, SshdServer];
    const bastion = farm.host('bastion', bastionServer);
    const targets = [farm.host('t1', a, { proxyJump: 'bastion' }), farm.host('t2', b, { proxyJump: 'bastion' })] as const;
    const { transport } = makeTransport([bastion, ...targets], noSecrets, CONNECT_MS);
    const bastionDisconnects = disconnects(bastionServer);
    await Promise.all(targets.map((t) => runTrue(transport, t)));
    expect(transport.openConnections).toBe(3);
    await transport.release(targets[0]);
    expect(transport.openConnections).toBe(2);
    await transport.release(targets[0]);
    expect(transport.openConnections).toBe(2);
    await transport.release(targets[1]);
    expect(transport.openConnections).toBe(0);
    await expect.poll(() => disconnects(bastionServer) - bastionDisconnects).toBe(1);
    await transport.close();
  });

  it('a jump host polled itself stays while it or a target still needs it', async () => {
    const [bastionServer, a] = farm.servers as [SshdServer, SshdServer, SshdServer];
    const bastion = farm.host('bastion', bastionServer);
    const target = farm.host('t3', a, { proxyJump: 'bastion' });
    const { transport } = makeTransport([bastion, target], noSecrets, CONNECT_MS);
    await Promise.all([runTrue(transport, bastion), runTrue(transport, target)]);
    expect(transport.openConnections).toBe(2);
    await transport.release(bastion);
    expect(transport.openConnections).toBe(2);
    await runTrue(transport, target);
    await transport.release(target);
    expect(transport.openConnections).toBe(0);

    await Promise.all([runTrue(transport, bastion), runTrue(transport, target)]);
    await transport.release(target);
    expect(transport.openConnections).toBe(1);
    await runTrue(transport, bastion);
    await transport.release(bastion);
    expect(transport.openConnections).toBe(0);
    await transport.close();
  });

  it('close() still ends connections nobody released, jump hosts last', async () => {
    const [bastionServer, a, b] = farm.servers as [SshdServer, SshdServer, SshdServer];
    const hosts = [farm.host('bastion', bastionServer), farm.host('t4', a, { proxyJump: 'bastion' }), farm.host('plain', b)];
    const { transport } = makeTransport(hosts, noSecrets, CONNECT_MS);
    const before = farm.servers.map(disconnects);
    await Promise.all(hosts.slice(1).map((h) => runTrue(transport, h)));
    expect(transport.openConnections).toBe(3);
    await transport.close();
    expect(transport.openConnections).toBe(0);
    await expect.poll(() => farm.servers.map((s, i) => disconnects(s) - before[i]!)).toEqual([1, 1, 1]);
  });
});
