/**
 * Polling benchmark: a farm of real sshd processes on 127.0.0.1 stands in for N hosts
 * (each host its own name, remoteDir and key pair), and metrix polls them the way cron
 * would. Prints figures; asserts nothing.
 *   npm run bench:execute -- [--hosts 200] [--concurrency 25] [--servers 4]
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/io.js';
import { startFarm, type Farm } from '../test/farm/farm.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '25' },
    servers: { type: 'string', default: '4' },
    compare: { type: 'boolean', default: false },
  },
});
const hosts = Number(values.hosts);
const concurrency = Number(values.concurrency);

const farm = await startFarm({ servers: Number(values.servers) });
const dir = mkdtempSync(join(tmpdir(), 'metrix-bench-execute-'));
try {
  const entries = Array.from({ length: hosts }, (_, i) => {
    const server = farm.servers[i % farm.servers.length]!;
    return `<host name="h${i}" address="127.0.0.1" port="${server.port}" remoteDir="${join(dir, 'remote', `h${i}`)}"/>`;
  });
  writeFileSync(
    join(dir, 'config.xml'),
    `<metrix><settings concurrency="${concurrency}" connectTimeout="20s" commandTimeout="60s"/>
     <defaults identityFile="${farm.clientKey.path}" knownHosts="${farm.knownHosts}" node="${process.execPath}"/>
     <hosts>${entries.join('')}</hosts></metrix>`,
  );
  let failures = '';
  const io: Io = {
    out: () => undefined,
    err: (text) => void (text.includes('ERROR') && (failures += text)),
    isTty: false,
    env: {},
    cwd: dir,
    clock: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
  const measure = async (label: string, args: string[]): Promise<void> => {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    const code = await main(['node', 'metrix', ...args, '-c', join(dir, 'config.xml')], io);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(cpu);
    const cpuMsPerHost = (used.user + used.system) / 1000 / hosts;
    console.log(
      `${label.padEnd(22)} ${hosts} hosts at ${concurrency}: ${seconds.toFixed(2)} s wall, ${(hosts / seconds).toFixed(1)} hosts/s, ` +
        `poller CPU ${cpuMsPerHost.toFixed(1)} ms/host, exit ${code}`,
    );
    if (failures) console.log(failures.trim().split('\n').slice(0, 5).join('\n'));
    failures = '';
  };
  console.log(`farm: ${farm.servers.length} sshd on 127.0.0.1, every host a separate name, remoteDir and key pair; ${process.version}`);
  await measure('upload', ['upload']);
  await measure('execute (first poll)', ['execute']);
  await measure('execute', ['execute']);
  await measure('execute', ['execute']);
  console.log(`peak RSS of the poller: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  if (values.compare) await compareWithOthers(dir, hosts, concurrency, farm);
} finally {
  await farm.stop();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The same hosts polled by parallel-ssh and ClusterShell (Debian's pssh and clustershell),
 * running the same collector through OpenSSH's client. Their CPU is their whole process
 * tree (bash's `times` for children: pssh or clush and every ssh they start).
 */
async function compareWithOthers(dir: string, hosts: number, concurrency: number, farm: Farm): Promise<void> {
  // One shared remoteDir with a valid key: every host runs the same command line.
  const shared = join(dir, 'remote', 'shared');
  mkdirSync(shared, { recursive: true });
  for (const file of ['metrix-collector.js', 'metrix-host.key', 'package.json']) {
    if (existsSync(join(dir, 'remote', 'h0', file))) copyFileSync(join(dir, 'remote', 'h0', file), join(shared, file));
  }
  const sshConfig = join(dir, 'ssh_config');
  writeFileSync(
    sshConfig,
    Array.from({ length: hosts }, (_, i) => {
      const port = farm.servers[i % farm.servers.length]!.port;
      return `Host h${i}\n  HostName 127.0.0.1\n  Port ${port}\n  User ${farm.user}\n  IdentityFile ${farm.clientKey.path}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${farm.knownHosts}\n  StrictHostKeyChecking yes\n  BatchMode yes\n`;
    }).join(''),
  );
  writeFileSync(join(dir, 'pssh_hosts'), Array.from({ length: hosts }, (_, i) => `h${i}`).join('\n'));
  const command = `${process.execPath} ${join(shared, 'metrix-collector.js')} --challenge AAAA`;
  const tools: Array<[string, string, string]> = [
    ['parallel-ssh', '/usr/bin/parallel-ssh', `/usr/bin/parallel-ssh -p ${concurrency} -t 60 -h ${join(dir, 'pssh_hosts')} -x '-F ${sshConfig}' '${command}'`],
    ['ClusterShell', '/usr/bin/clush', `/usr/bin/clush -q -f ${concurrency} -u 60 -o '-F ${sshConfig}' -w h[0-${hosts - 1}] '${command}'`],
  ];
  for (const [name, binary, line] of tools) {
    if (!existsSync(binary)) {
      console.log(`${name.padEnd(22)} not installed (apt-get install ${name === 'parallel-ssh' ? 'pssh' : 'clustershell'})`);
      continue;
    }
    const start = process.hrtime.bigint();
    // Asynchronously: the farm's sshd log pipes must keep draining while the tool runs, or sshd stalls.
    const stdout = await new Promise<string>((resolve) => {
      const child = spawn('bash', ['-c', `${line} > ${join(dir, 'out.txt')} 2>&1; echo "exit $?"; times`]);
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('close', () => resolve(text));
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const lines = stdout.trim().split('\n');
    const children = lines[lines.length - 1]!.split(/\s+/).map((t) => {
      const m = /^(\d+)m([\d.]+)s$/.exec(t);
      return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
    });
    const cpuMsPerHost = ((children[0] ?? 0) + (children[1] ?? 0)) * 1000 / hosts;
    console.log(`${name.padEnd(22)} ${hosts} hosts at ${concurrency}: ${seconds.toFixed(2)} s wall, ${(hosts / seconds).toFixed(1)} hosts/s, client CPU ${cpuMsPerHost.toFixed(1)} ms/host, ${lines[0]}`);
    const failed = readFileSync(join(dir, 'out.txt'), 'utf8').split('\n').filter((l) => /FAILURE|exited with error|Timed out|refused|denied/i.test(l));
    if (failed.length > 0) console.log(`  ${failed.length} failure lines, e.g. ${failed.slice(0, 3).join(' | ')}`);
  }
}
