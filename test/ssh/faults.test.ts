import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFarm, type Farm } from '../farm/farm.js';
import { sshdMissing } from '../farm/sshd.js';
import { loginUser } from '../helpers/unprivileged.js';
import { LIMITS, makeTransport, placeCollector } from './helpers.js';
import { isAlive } from '../farm/processes.js';

let farm: Farm;


describe.skipIf(sshdMissing())('faults: sshd dying, commands hanging', () => {
  beforeAll(async () => {
    farm = await startFarm({ servers: 3 });
  });
  afterAll(async () => {
    await farm?.stop();
  });

  it('sshd killed in the middle of a command: the promise settles with an ssh failure, and the next poll reconnects', async () => {
    const server = farm.servers[0]!;
    const host = farm.host('victim', server);
    const { transport } = makeTransport([host]);
    await placeCollector(transport, host, 'hang');
    const running = transport.exec(host, { ...LIMITS, timeoutMs: 30_000, args: [] });
    await expect.poll(() => existsSync(join(host.remoteDir, 'started')), { timeout: 10_000 }).toBe(true);
    server.kill();
    const outcome = await running;
    expect(outcome.ok || outcome.failure.reason).toBe('ssh');
    expect(outcome.ok || outcome.failure.message).toMatch(/^connection lost during collector on victim/);
    const next = await transport.exec(host, { ...LIMITS, args: [] });
    expect(next.ok || next.failure.reason).toBe('unreachable');
    await transport.close();
  });

  // sshd signals only the sessions of other users than root, so the host logs in as one even
  // when the tests run as root (metrix-test, see loginUser): this is the branch that matters.
  it('a timed-out collector is sent KILL over the channel and dies', async () => {
    const server = farm.servers[1]!;
    const user = loginUser();
    // That user reads the authorized keys through the farm's directory and owns the remote one.
    chmodSync(farm.dir, 0o711);
    chmodSync(join(farm.dir, 'authorized_keys'), 0o644);
    const remote = join(farm.dir, `remote-${user.name}`);
    mkdirSync(remote, { mode: 0o700 });
    chownSync(remote, user.uid, user.gid);
    const host = farm.host('sleeper', server, { user: user.name, remoteDir: join(remote, 'sleeper') });
    const { transport } = makeTransport([host]);
    await placeCollector(transport, host, 'hang');
    const outcome = await transport.exec(host, { ...LIMITS, args: [] });
    await transport.close();
    expect(outcome.ok || outcome.failure.reason).toBe('command-timeout');
    const pid = Number(readFileSync(join(host.remoteDir, 'started'), 'utf8'));
    expect(statSync(join(host.remoteDir, 'started')).uid).toBe(user.uid);
    await expect.poll(() => isAlive(pid), { timeout: 5000 }).toBe(false);
  });

  it('sshd killed during an upload: a failure, and no partial file under the real name', async () => {
    const server = farm.servers[2]!;
    const host = farm.host('half', server);
    const { transport } = makeTransport([host]);
    const big = { name: 'metrix-collector.js', content: Buffer.alloc(64 * 1024 * 1024, 'x'), mode: 0o700 };
    const uploading = transport.upload(host, [big]);
    const tempWritten = (): boolean => existsSync(host.remoteDir) && readdirSync(host.remoteDir).some((f) => f.endsWith('.tmp'));
    await expect.poll(tempWritten, { timeout: 10_000, interval: 5 }).toBe(true);
    server.kill();
    const outcome = await uploading;
    await transport.close();
    expect(outcome.ok || outcome.failure.reason).toBe('ssh');
    expect(existsSync(join(host.remoteDir, 'metrix-collector.js'))).toBe(false);
  });
});
