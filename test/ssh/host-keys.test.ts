import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../src/config/types.js';
import { startFarm, type Farm } from '../farm/farm.js';
import { keygenFingerprint } from '../farm/keys.js';
import { sshdMissing, type SshdServer } from '../farm/sshd.js';
import { makeTransport } from './helpers.js';

const run = promisify(execFile);
let farm: Farm;
let single: SshdServer; // ed25519 only
let multi: SshdServer; // ed25519, ecdsa and rsa

/** Connects by running `node --version` over SSH: enough to pass host key checking and auth. */
async function probe(host: Host) {
  const { transport, notices } = makeTransport([host]);
  try {
    return { outcome: await transport.nodeVersion(host), notices };
  } finally {
    await transport.close();
  }
}

const failureOf = async (host: Host) => {
  const { outcome } = await probe(host);
  if (outcome.ok) throw new Error(`${host.name}: expected a failure, got ${outcome.value}`);
  return outcome.failure;
};

describe.skipIf(sshdMissing())('host keys against real sshd', () => {
  beforeAll(async () => {
    farm = await startFarm({ servers: 2, hostKeyTypes: ['ed25519', 'ecdsa', 'rsa'] });
    multi = farm.servers[0]!;
    single = farm.servers[1]!;
  });
  afterAll(async () => {
    await farm?.stop();
  });

  it('accepts a known key, from plain and from hashed (ssh-keygen -H) files', async () => {
    for (const knownHosts of [farm.knownHosts, farm.hashedKnownHosts]) {
      const { outcome } = await probe(farm.host('plain-or-hashed', multi, { knownHosts }));
      expect(outcome).toEqual({ ok: true, value: process.version });
    }
  });

  it.each(['ed25519', 'ecdsa', 'rsa'] as const)('negotiates the one known key type when only %s is listed', async (type) => {
    const knownHosts = await farm.file(`kh-only-${type}`, `${farm.knownHostsLines(multi, [type]).join('\n')}\n`);
    const { outcome } = await probe(farm.host(`only-${type}`, multi, { knownHosts }));
    expect(outcome.ok).toBe(true);
  });

  it('refuses a changed key with both fingerprints, the line and the ssh-keygen -R command', async () => {
    const [serverKey] = single.hostKeys;
    const knownHosts = await farm.file(
      'kh-changed',
      `# line 1\n[127.0.0.1]:${single.port} ssh-ed25519 ${farm.strangerKey.blob.toString('base64')}\n`,
    );
    const failure = await failureOf(farm.host('f4', single, { knownHosts, hostKeyPolicy: 'accept-new' }));
    const offered = await keygenFingerprint(`${serverKey!.path}.pub`);
    expect(failure.reason).toBe('host-key');
    expect(failure.message).toContain(`host key changed for f4 ([127.0.0.1]:${single.port}): offered ${offered} (ssh-ed25519)`);
    expect(failure.message).toContain(`${knownHosts} line 2 has a different key`);
    const fix = /remove it with: (ssh-keygen .*)$/.exec(failure.message)?.[1];
    expect(fix).toBe(`ssh-keygen -R '[127.0.0.1]:${single.port}' -f ${knownHosts}`);
    await run('/bin/sh', ['-c', `${fix} 2>/dev/null`]);
    expect((await failureOf(farm.host('f4', single, { knownHosts }))).message).toMatch(/^unknown host key/);
  });

  it('treats a host known only by another key type as changed, as OpenSSH does', async () => {
    const knownHosts = await farm.file('kh-other-type', `${farm.knownHostsLines(multi, ['ecdsa']).join('\n').replace(`${multi.port}`, `${single.port}`)}\n`);
    const failure = await failureOf(farm.host('f9', single, { knownHosts }));
    expect(failure.reason).toBe('host-key');
    expect(failure.message).toContain('line 1 has a different key (ecdsa-sha2-nistp256)');
  });

  it('refuses an unknown key under strict policy with the exact line to add, which then works', async () => {
    const knownHosts = join(farm.dir, 'kh-absent');
    const host = farm.host('f5', single, { knownHosts });
    const failure = await failureOf(host);
    expect(failure.reason).toBe('host-key');
    expect(failure.message).toContain(`unknown host key for f5 ([127.0.0.1]:${single.port}): SHA256:`);
    expect(failure.message).toContain('does not exist yet');
    expect(failure.message).toContain('hostKeyPolicy="accept-new"');
    const toAdd = /add this line to \S+: (\S+ \S+ \S+)/.exec(failure.message)?.[1];
    expect(toAdd).toBe(farm.knownHostsLines(single, ['ed25519'])[0]);
    await writeFile(knownHosts, `${toAdd}\n`);
    expect((await probe(host)).outcome.ok).toBe(true);
  });

  it('pins an unknown key under accept-new (new file, 0600), and the next connection matches it', async () => {
    const knownHosts = join(farm.dir, 'pin', 'sub', 'known_hosts');
    const { outcome, notices } = await probe(farm.host('f6', single, { knownHosts, hostKeyPolicy: 'accept-new' }));
    expect(outcome.ok).toBe(true);
    expect(notices.join('\n')).toMatch(/\[f6\] pinned new host key SHA256:\S+ \(ssh-ed25519\)/);
    expect((await stat(knownHosts)).mode & 0o777).toBe(0o600);
    expect(await readFile(knownHosts, 'utf8')).toBe(`${farm.knownHostsLines(single, ['ed25519'])[0]}\n`);
    const again = await probe(farm.host('f6', single, { knownHosts }));
    expect(again.outcome.ok).toBe(true);
    expect(again.notices).toEqual([]);
    expect((await readFile(knownHosts, 'utf8')).split('\n')).toHaveLength(2);
  });

  it('appends under accept-new to a file without a final newline, keeping its lines', async () => {
    const knownHosts = await farm.file('kh-append', '# ops keys, no newline at the end');
    expect((await probe(farm.host('f7', single, { knownHosts, hostKeyPolicy: 'accept-new' }))).outcome.ok).toBe(true);
    const lines = (await readFile(knownHosts, 'utf8')).split('\n');
    expect(lines).toEqual(['# ops keys, no newline at the end', farm.knownHostsLines(single, ['ed25519'])[0], '']);
  });

  it('refuses a revoked key whatever the policy, even when it is also listed', async () => {
    const [line] = farm.knownHostsLines(single, ['ed25519']);
    const revoked = `@revoked * ${line!.split(' ').slice(1).join(' ')}`;
    const knownHosts = await farm.file('kh-revoked', `${line}\n${revoked}\n`);
    const failure = await failureOf(farm.host('f8', single, { knownHosts, hostKeyPolicy: 'accept-new' }));
    expect(failure.reason).toBe('host-key');
    expect(failure.message).toContain(`is marked @revoked at ${knownHosts} line 2`);
  });

  it('says that @cert-authority lines are not used for plain host keys', async () => {
    const ca = `@cert-authority [127.0.0.1]:* ${farm.clientKey.sshType} ${farm.clientKey.blob.toString('base64')}`;
    const knownHosts = await farm.file('kh-ca', `${ca}\n`);
    const failure = await failureOf(farm.host('f10', single, { knownHosts }));
    expect(failure.reason).toBe('host-key');
    expect(failure.message).toContain('@cert-authority lines 1 name this host, but metrix does not check host certificates');
  });
});
