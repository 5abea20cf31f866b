import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../src/config/types.js';
import { secretsFrom, type SshSecrets } from '../../src/ssh/auth.js';
import { startAgent, type Agent } from '../farm/agent.js';
import { PASSPHRASE, startFarm, type Farm } from '../farm/farm.js';
import { closedPort, startSilentServer, type SilentServer } from '../farm/hostile.js';
import { sshdMissing } from '../farm/sshd.js';
import { CONNECT_TIMEOUT_MS, makeTransport, noSecrets } from './helpers.js';

let farm: Farm;
let silent: SilentServer;
let agent: Agent;

async function versionOn(host: Host, secrets: SshSecrets = noSecrets) {
  const { transport } = makeTransport([host], secrets);
  try {
    return await transport.nodeVersion(host);
  } finally {
    await transport.close();
  }
}

describe.skipIf(sshdMissing())('connecting: failures are values with reasons a sysadmin can act on', () => {
  beforeAll(async () => {
    farm = await startFarm({ servers: 1 });
    silent = await startSilentServer();
    agent = await startAgent(farm.dir, [farm.clientKey.path]);
  });
  afterAll(async () => {
    agent?.stop();
    await silent?.stop();
    await farm?.stop();
  });

  it('a closed port is unreachable', async () => {
    const port = await closedPort();
    const outcome = await versionOn(farm.host('down', { port }));
    expect(outcome.ok || outcome.failure.reason).toBe('unreachable');
    expect(outcome.ok || outcome.failure.message).toMatch(new RegExp(`^cannot reach down \\(127.0.0.1:${port}\\): .*ECONNREFUSED`));
  });

  it('a server that accepts TCP and never speaks is cut off: connect-timeout', async () => {
    const outcome = await versionOn(farm.host('mute', { port: silent.port }));
    expect(silent.accepted()).toBeGreaterThan(0);
    expect(outcome.ok || outcome.failure).toEqual({
      reason: 'connect-timeout',
      message: `no SSH handshake with mute (127.0.0.1:${silent.port}) within ${CONNECT_TIMEOUT_MS} ms`,
    });
  });

  it('a key the server does not authorize: auth, naming user, host and what was tried', async () => {
    const outcome = await versionOn(farm.host('f4', farm.servers[0]!, { identityFile: farm.strangerKey.path }));
    expect(outcome.ok || outcome.failure).toEqual({
      reason: 'auth',
      message: `auth refused for ${farm.user}@f4: tried publickey (${farm.strangerKey.path})`,
    });
  });

  it('lists the agent among the methods tried', async () => {
    const emptyAgent = await startAgent(`${farm.dir}/client`, []);
    try {
      const host = farm.host('f5', farm.servers[0]!, { identityFile: farm.strangerKey.path });
      const outcome = await versionOn(host, { ...noSecrets, agentSocket: emptyAgent.socket });
      expect(outcome.ok || outcome.failure.message).toBe(
        `auth refused for ${farm.user}@f5: tried publickey (${farm.strangerKey.path}), agent (${emptyAgent.socket})`,
      );
    } finally {
      emptyAgent.stop();
    }
  });

  it('logs in with an encrypted identity file, its passphrase named by passphraseEnv', async () => {
    const host = farm.host('enc', farm.servers[0]!, { identityFile: farm.encryptedKey.path, passphraseEnv: 'METRIX_TEST_PASSPHRASE' });
    const outcome = await versionOn(host, secretsFrom({ METRIX_TEST_PASSPHRASE: PASSPHRASE }));
    expect(outcome).toEqual({ ok: true, value: process.version });
  });

  it.each([
    [undefined, {}, 'is encrypted; name the variable holding its passphrase with passphraseEnv'],
    ['METRIX_TEST_PASSPHRASE', {}, 'is encrypted and METRIX_TEST_PASSPHRASE is not set'],
    ['METRIX_TEST_PASSPHRASE', { METRIX_TEST_PASSPHRASE: 'wrong' }, 'with the passphrase in METRIX_TEST_PASSPHRASE: '],
  ])('an encrypted key without its passphrase fails clearly (passphraseEnv=%s)', async (passphraseEnv, env, expected) => {
    const host = farm.host('enc', farm.servers[0]!, { identityFile: farm.encryptedKey.path, passphraseEnv });
    const outcome = await versionOn(host, secretsFrom(env));
    expect(outcome.ok || outcome.failure.reason).toBe('auth');
    expect(outcome.ok || outcome.failure.message).toContain(`identity file ${farm.encryptedKey.path} for enc `);
    expect(outcome.ok || outcome.failure.message).toContain(expected);
  });

  it('a missing identity file is an auth failure naming the file', async () => {
    const outcome = await versionOn(farm.host('nokey', farm.servers[0]!, { identityFile: `${farm.dir}/nope` }));
    expect(outcome.ok || outcome.failure.message).toMatch(/^cannot read identity file .*\/nope for nokey: .*ENOENT/);
  });

  it('logs in through ssh-agent alone', async () => {
    const host = farm.host('agent', farm.servers[0]!, { identityFile: undefined });
    const outcome = await versionOn(host, secretsFrom({ SSH_AUTH_SOCK: agent.socket }));
    expect(outcome).toEqual({ ok: true, value: process.version });
  });

  it('skips a locked identity file for the agent when one is there', async () => {
    const host = farm.host('locked', farm.servers[0]!, { identityFile: farm.encryptedKey.path });
    const outcome = await versionOn(host, secretsFrom({ SSH_AUTH_SOCK: agent.socket }));
    expect(outcome).toEqual({ ok: true, value: process.version });
  });

  it('with neither identity file nor agent, says so', async () => {
    const outcome = await versionOn(farm.host('nothing', farm.servers[0]!, { identityFile: undefined }));
    expect(outcome.ok || outcome.failure).toEqual({
      reason: 'auth',
      message: `no way to log in to ${farm.user}@nothing: no identityFile and no ssh-agent (SSH_AUTH_SOCK unset)`,
    });
  });
});
