import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFarm, type Farm } from '../farm/farm.js';
import { closedPort, startSilentServer, type SilentServer } from '../farm/hostile.js';
import { sshdMissing } from '../farm/sshd.js';
import { runCli } from '../helpers/io.js';
import { storedPoints } from '../helpers/stored.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The commands a sysadmin runs, end to end against real sshd processes on 127.0.0.1:
 * upload, then execute over 20+ hosts with broken ones mixed in.
 */
const GOOD = Array.from({ length: 20 }, (_, i) => `n${String(i + 1).padStart(2, '0')}`);

let farm: Farm;
let silent: SilentServer;

beforeAll(async () => {
  farm = await startFarm({ servers: 3 });
  silent = await startSilentServer();
}, 60_000);

afterAll(async () => {
  await silent?.stop();
  await farm?.stop();
});

interface Broken {
  readonly port?: number;
  readonly identityFile?: string;
  readonly knownHosts?: string;
  readonly node?: string;
}

/** A config for the farm: GOOD spread over the servers, two targets behind a bastion, and some broken hosts. */
function fleetConfig(dir: string, broken: Record<string, Broken> = {}): string {
  const server = (i: number) => farm.servers[i % farm.servers.length]!;
  const host = (name: string, port: number, extra = ''): string =>
    `<host name="${name}" address="127.0.0.1" port="${port}" remoteDir="${join(dir, 'remote', name)}" groups="${name.startsWith('n') ? 'compute' : 'other'}"${extra}/>`;
  const lines = [
    ...GOOD.map((name, i) => host(name, server(i).port)),
    host('bastion', server(0).port),
    host('behind1', server(1).port, ' proxyJump="bastion"'),
    host('behind2', server(2).port, ' proxyJump="bastion"'),
    ...Object.entries(broken).map(([name, b]) =>
      host(
        name,
        b.port ?? server(0).port,
        `${b.identityFile ? ` identityFile="${b.identityFile}"` : ''}${b.knownHosts ? ` knownHosts="${b.knownHosts}"` : ''}${b.node ? ` node="${b.node}"` : ''}`,
      ),
    ),
  ];
  const xml = `<metrix>
  <settings concurrency="8" connectTimeout="2s" commandTimeout="6s" maxOutput="256KB"/>
  <defaults identityFile="${farm.clientKey.path}" knownHosts="${farm.knownHosts}" node="${process.execPath}"/>
  <hosts>
    ${lines.join('\n    ')}
  </hosts>
</metrix>`;
  writeFileSync(join(dir, 'config.xml'), xml);
  return dir;
}

const upValues = (dir: string): Record<string, number[]> => {
  const rows = storedPoints(join(dir, 'metrix.db'), 'host_up').map((p) => ({ name: p.host, value: p.value }));
  const out: Record<string, number[]> = {};
  for (const row of rows) (out[row.name] ??= []).push(row.value);
  return out;
};

describe.skipIf(sshdMissing() !== undefined)('metrix upload and execute over SSH', () => {
  it('uploads to every host, polls 23 hosts, and reads cpu_percent back from the second run', async () => {
    const dir = fleetConfig(tempDir());
    const before = await runCli(dir, ['execute', '-h', 'n01']);
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(/ERROR \[n01\] not-uploaded after [\d.]+s: no key for this host yet: run metrix upload -h n01/);

    const upload = await runCli(dir, ['upload']);
    expect(upload.stdout).toMatch(/^uploaded to 23 hosts in [\d.]+s: 23 ok, 0 failed\n$/);
    expect(upload.code).toBe(0);
    expect(upload.stderr).toMatch(/INFO \[n07\] uploaded metrix-collector.js, metrix-host.key \(node v\d+/);
    const remote = join(dir, 'remote', 'n07');
    expect(statSync(remote).mode & 0o777).toBe(0o700);
    expect(statSync(join(remote, 'metrix-collector.js')).mode & 0o777).toBe(0o700);
    expect(statSync(join(remote, 'metrix-host.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(remote, 'metrix-host.key'), 'utf8')).toBe(readFileSync(join(dir, 'keys', 'hosts', 'n07.key'), 'utf8'));

    const again = await runCli(dir, ['upload', '-h', 'n07', '-g', 'compute']);
    expect(again.stderr).toMatch(/INFO \[n07\] up to date \(node v/);
    expect(again.stdout).toMatch(/^uploaded to 20 hosts/);

    const first = await runCli(dir, ['execute']);
    expect(first.stdout).toMatch(/^polled 23 hosts in [\d.]+s: 23 ok, 0 failed\n$/);
    expect(first.code).toBe(0);
    const second = await runCli(dir, ['execute', '-g', 'compute', '-h', 'behind2']);
    expect(second.stdout).toMatch(/^polled 21 hosts/);
    const up = upValues(dir);
    expect(up['n01']).toEqual([0, 1, 1]);
    expect(up['behind2']).toEqual([1, 1]);
    expect(up['bastion']).toEqual([1]);
    const query = await runCli(dir, ['query', '-h', 'behind2', '-m', 'cpu_percent', '--json']);
    expect(JSON.parse(query.stdout)).toHaveLength(2);
  }, 120_000);

  it('stores host_up=0 with its reason for each broken host, and everything else as usual', async () => {
    const dir = tempDir();
    const wrongKeys = join(dir, 'wrong_known_hosts');
    // Server 0's port with server 1's key: what a reinstalled or impostor host looks like.
    writeFileSync(wrongKeys, `${farm.knownHostsLines(farm.servers[1]!).map((line) => line.replace(`]:${farm.servers[1]!.port} `, `]:${farm.servers[0]!.port} `)).join('\n')}\n`);
    const brokenNames = ['down', 'silent', 'stranger', 'impostor', 'hang', 'flood'];
    // Upload while every host is healthy, then break them the ways real hosts break.
    fleetConfig(dir, Object.fromEntries(brokenNames.map((name) => [name, {}])));
    expect((await runCli(dir, ['upload'])).code).toBe(0);
    writeFileSync(join(dir, 'remote', 'hang', 'metrix-collector.js'), 'setInterval(() => {}, 1000);\n');
    writeFileSync(join(dir, 'remote', 'flood', 'metrix-collector.js'), "const x = 'x'.repeat(65536); const go = () => { while (process.stdout.write(x)); process.stdout.once('drain', go); }; go();\n");
    fleetConfig(dir, {
      down: { port: await closedPort() },
      silent: { port: silent.port },
      stranger: { identityFile: farm.strangerKey.path },
      impostor: { knownHosts: wrongKeys },
      hang: {},
      flood: {},
    });

    const run = await runCli(dir, ['execute']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^polled 29 hosts in [\d.]+s: 23 ok, 6 failed\n/);
    for (const [host, reason] of [
      ['down', /unreachable after [\d.]+s: cannot reach down \(127.0.0.1:\d+\): connect ECONNREFUSED/],
      ['silent', /connect-timeout after [\d.]+s/],
      ['stranger', /auth after [\d.]+s: auth refused for \w+@stranger: tried publickey \(.*id_stranger\)/],
      ['impostor', /host-key after [\d.]+s: host key changed .*SHA256:/],
      ['hang', /command-timeout after [\d.]+s/],
      ['flood', /output-too-large after [\d.]+s/],
    ] as const) {
      expect(run.stderr).toMatch(new RegExp(`ERROR \\[${host}\\] ${reason.source}`));
    }
    for (const reason of ['unreachable: 1 (down)', 'connect-timeout: 1 (silent)', 'auth: 1 (stranger)', 'host-key: 1 (impostor)', 'command-timeout: 1 (hang)', 'output-too-large: 1 (flood)']) {
      expect(run.stdout).toContain(`  ${reason}\n`);
    }
    const up = upValues(dir);
    for (const name of brokenNames) expect(up[name], name).toEqual([0]);
    for (const name of [...GOOD, 'bastion', 'behind1', 'behind2']) expect(up[name], name).toEqual([1]);
  }, 120_000);

  it('says plainly when Node is missing or too old on a host, and uploads to the others', async () => {
    const dir = tempDir();
    const oldNode = join(dir, 'node10');
    writeFileSync(oldNode, '#!/bin/sh\necho v10.24.1\n', { mode: 0o755 });
    fleetConfig(dir, { nonode: { node: '/opt/nowhere/bin/node' }, oldnode: { node: oldNode } });
    const run = await runCli(dir, ['upload', '-h', 'nonode', '-h', 'oldnode', '-h', 'n01']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ERROR \[nonode\] node: Node not found or not working on nonode: .*\/opt\/nowhere\/bin\/node.*; install Node 12 or newer there, or set node="\/path\/to\/node" for this host/);
    expect(run.stderr).toMatch(/ERROR \[oldnode\] node: Node v10.24.1 is too old for the collector \(needs 12 or newer\)/);
    expect(run.stdout).toMatch(/uploaded to 3 hosts in [\d.]+s: 1 ok, 2 failed\n  node: 2 \(nonode, oldnode\)\n/);
  }, 60_000);
});
