/**
 * Polling benchmark: a farm of real sshd processes on 127.0.0.1 stands in for N hosts (one
 * daemon per host by default; each host its own name, remoteDir and key pair), and metrix
 * polls them the way cron would, in this process. Prints figures; asserts nothing.
 *   npm run bench:execute -- [--hosts 200] [--concurrency 25] [--servers <hosts>] [--compare]
 * --compare: parallel-ssh and ClusterShell (X25519, as ssh2) run the same sealed collector.
 * bench:run compares warm `metrix run` cycles too, with the CLI in a child process.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/io.js';
import { startBenchFarm, type BenchFarm } from './farm-layout.js';
import { otherTools } from './other-tools.js';
import { gnuTimeMissing, runTimed } from './timed-command.js';
import { snapshot, usageBetween } from './window.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '25' },
    servers: { type: 'string' },
    compare: { type: 'boolean', default: false },
  },
});
const hosts = Number(values.hosts);
const concurrency = Number(values.concurrency);

const bench = await startBenchFarm({ hosts, servers: Number(values.servers ?? hosts), concurrency, label: 'execute' });
try {
  let failures = '';
  const io: Io = {
    out: () => undefined,
    err: (text) => void (text.includes('ERROR') && (failures += text)),
    isTty: false,
    env: {},
    cwd: bench.dir,
    clock: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
  const measure = async (label: string, args: string[]): Promise<void> => {
    const cpu = process.cpuUsage();
    const start = snapshot(bench.daemons);
    const code = await main(['node', 'metrix', ...args, '-c', bench.config], io);
    const usage = usageBetween(start, snapshot(bench.daemons));
    const used = process.cpuUsage(cpu);
    const cpuMsPerHost = (used.user + used.system) / 1000 / hosts;
    console.log(
      `${label.padEnd(22)} ${hosts} hosts at ${concurrency}: ${(usage.wallMs / 1000).toFixed(2)} s wall, ${(hosts / (usage.wallMs / 1000)).toFixed(1)} hosts/s, ` +
        `poller CPU ${cpuMsPerHost.toFixed(1)} ms/host, sshd + collector CPU ${(usage.farmMs / hosts).toFixed(1)} ms/host, exit ${code}`,
    );
    if (failures) console.log(failures.trim().split('\n').slice(0, 5).join('\n'));
    failures = '';
  };
  console.log(`farm: ${bench.daemons.length} sshd on 127.0.0.1, every host a separate name, remoteDir and key pair; ${process.version}`);
  await measure('upload', ['upload']);
  await measure('execute (first poll)', ['execute']);
  await measure('execute', ['execute']);
  await measure('execute', ['execute']);
  console.log(`peak RSS of the poller: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  if (values.compare) await compareWithOthers(bench);
} finally {
  await bench.stop();
}

/** The same hosts polled by parallel-ssh and ClusterShell; their CPU is their whole process tree (ssh clients too). */
async function compareWithOthers(bench: BenchFarm): Promise<void> {
  const missing = gnuTimeMissing();
  if (missing) return console.log(missing);
  for (const tool of otherTools(bench, concurrency)) {
    if (tool.missing) {
      console.log(`${tool.name.padEnd(22)} ${tool.missing}`);
      continue;
    }
    const run = await runTimed(tool.argv, { cwd: bench.dir, daemons: bench.daemons, outFile: join(bench.dir, 'out.txt') });
    const seconds = run.usage.wallMs / 1000;
    console.log(
      `${tool.name.padEnd(22)} ${hosts} hosts at ${concurrency}: ${seconds.toFixed(2)} s wall, ${(hosts / seconds).toFixed(1)} hosts/s, ` +
        `client CPU ${(run.cpuMs / hosts).toFixed(1)} ms/host, sshd + collector CPU ${(run.usage.farmMs / hosts).toFixed(1)} ms/host, ` +
        `${tool.okHosts(run.output)} ok, exit ${run.exit}`,
    );
    const failed = run.output.split('\n').filter((l) => /FAILURE|exited with|Timed out|refused|denied/i.test(l));
    if (failed.length > 0) console.log(`  ${failed.length} failure lines, e.g. ${failed.slice(0, 3).join(' | ')}`);
  }
}
