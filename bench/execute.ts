/**
 * Polling benchmark: a farm of real sshd processes on 127.0.0.1 stands in for N hosts
 * (each host its own name, remoteDir and key pair), and metrix polls them the way cron
 * would. Prints figures; asserts nothing.
 *   npm run bench:execute -- [--hosts 200] [--concurrency 25] [--servers 4]
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/io.js';
import { startFarm } from '../test/farm/farm.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '25' },
    servers: { type: 'string', default: '4' },
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
} finally {
  await farm.stop();
  rmSync(dir, { recursive: true, force: true });
}
