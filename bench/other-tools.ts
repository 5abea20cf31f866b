/**
 * parallel-ssh and ClusterShell (Debian's pssh and clustershell) polling the same hosts with
 * the same sealed collector through OpenSSH's client, for comparison with metrix.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSshConfig, type BenchFarm } from './farm-layout.js';

export interface OtherTool {
  readonly name: string;
  /** Why it cannot run here (not installed), or undefined. */
  readonly missing: string | undefined;
  readonly argv: readonly string[];
  /** Hosts whose collector answered, read from the tool's output. */
  okHosts(output: string): number;
}

/**
 * The tools' command lines. Every host runs one command line, so the collector and a valid
 * host key (h0's, after `metrix upload`) are copied to one shared remote directory.
 */
export function otherTools(bench: BenchFarm, concurrency: number): OtherTool[] {
  const shared = join(bench.dir, 'remote', 'shared');
  mkdirSync(shared, { recursive: true });
  for (const file of ['metrix-collector.js', 'metrix-host.key', 'package.json']) {
    const uploaded = join(bench.dir, 'remote', 'h0', file);
    if (existsSync(uploaded)) copyFileSync(uploaded, join(shared, file));
  }
  const sshConfig = writeSshConfig(bench);
  const hostsFile = join(bench.dir, 'pssh_hosts');
  writeFileSync(hostsFile, bench.hosts.map((host) => host.name).join('\n'));
  const command = `${process.execPath} ${join(shared, 'metrix-collector.js')} --challenge AAAA`;
  const missing = (binary: string, pkg: string): string | undefined => (existsSync(binary) ? undefined : `not installed (apt-get install ${pkg})`);
  const n = bench.hosts.length;
  return [
    {
      name: 'parallel-ssh',
      missing: missing('/usr/bin/parallel-ssh', 'pssh'),
      argv: ['/usr/bin/parallel-ssh', '-p', String(concurrency), '-t', '60', '-h', hostsFile, '-x', `-F ${sshConfig}`, command],
      okHosts: (output) => output.match(/\[SUCCESS\]/g)?.length ?? 0,
    },
    {
      name: 'ClusterShell',
      missing: missing('/usr/bin/clush', 'clustershell'),
      argv: ['/usr/bin/clush', '-q', '-f', String(concurrency), '-u', '60', '-o', `-F ${sshConfig}`, '-w', `h[0-${n - 1}]`, command],
      // One sealed line per host, prefixed with its name.
      okHosts: (output) => new Set(output.match(/^h\d+(?=: \S)/gm) ?? []).size,
    },
  ];
}
