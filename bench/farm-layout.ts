/**
 * A benchmark farm: real sshd processes on 127.0.0.1 standing in for N hosts (by default one
 * daemon per host; with fewer daemons, several host names share each port), a metrix
 * config.xml for them, and the OpenSSH client config other tools use to reach the same hosts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFarmConfig, type FarmHost } from '../test/farm/config.js';
import { startFarm, type Farm } from '../test/farm/farm.js';

export interface BenchFarm {
  readonly farm: Farm;
  /** Holds config.xml, metrix.db, keys/ and every host's remoteDir under remote/. */
  readonly dir: string;
  readonly config: string;
  readonly hosts: readonly FarmHost[];
  /** Pids of the sshd listeners: the roots of the host side's process trees. */
  readonly daemons: readonly number[];
  stop(): Promise<void>;
}

export interface BenchFarmOptions {
  readonly hosts: number;
  readonly servers: number;
  readonly concurrency: number;
  /** More <settings> attributes. */
  readonly settings?: string;
  /** Prefix of the temporary directory's name. */
  readonly label: string;
}

/** Starts the daemons and writes config.xml; host `h<i>` is on daemon i mod servers. */
export async function startBenchFarm(options: BenchFarmOptions): Promise<BenchFarm> {
  const servers = Math.min(options.servers, options.hosts);
  const farm = await startFarm({ servers });
  const dir = mkdtempSync(join(tmpdir(), `metrix-bench-${options.label}-`));
  const hosts = Array.from({ length: options.hosts }, (_, i) => ({ name: `h${i}`, port: farm.servers[i % servers]!.port }));
  writeFarmConfig(farm, dir, hosts, `concurrency="${options.concurrency}" connectTimeout="30s" commandTimeout="60s" ${options.settings ?? ''}`);
  return {
    farm,
    dir,
    config: join(dir, 'config.xml'),
    hosts,
    daemons: farm.servers.map((server) => server.pid),
    stop: async () => {
      await farm.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * OpenSSH client config for every host name, limited to the key exchange ssh2 (metrix) uses,
 * X25519, and its first cipher, so that OpenSSH's heavier default (sntrup761x25519) does not
 * weigh on the other tools. Returns the file's path.
 */
export function writeSshConfig(bench: BenchFarm): string {
  const path = join(bench.dir, 'ssh_config');
  const { farm } = bench;
  const entry = (host: FarmHost): string =>
    [
      `Host ${host.name}`,
      '  HostName 127.0.0.1',
      `  Port ${host.port}`,
      `  User ${farm.user}`,
      `  IdentityFile ${farm.clientKey.path}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${farm.knownHosts}`,
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '  KexAlgorithms curve25519-sha256',
      '  Ciphers aes128-gcm@openssh.com',
      '',
    ].join('\n');
  writeFileSync(path, bench.hosts.map(entry).join(''));
  return path;
}

/**
 * Points every host's `node` at a wrapper that starts resident collectors (--serve) with
 * V8's profiler (a sample every 2 ms), writing into `dir` when they exit; one-shot
 * collectors run as before.
 */
export function profileResidents(bench: BenchFarm, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const wrapper = join(bench.dir, 'node-profiling-residents');
  const node = process.execPath;
  writeFileSync(wrapper, `#!/bin/sh\ncase " $* " in *" --serve "*) exec ${node} --cpu-prof --cpu-prof-interval 2000 --cpu-prof-dir ${dir} "$@";; esac\nexec ${node} "$@"\n`, { mode: 0o755 });
  writeFileSync(bench.config, readFileSync(bench.config, 'utf8').replace(`node="${node}"`, `node="${wrapper}"`));
}
