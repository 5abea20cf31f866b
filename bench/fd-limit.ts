/**
 * File descriptors at scale: `metrix upload` and `metrix execute` over N hosts (a farm of
 * real sshd on 127.0.0.1, several host names per daemon, each host its own remoteDir) run
 * as the CLI under a low `ulimit -n`. Each must succeed for every host; prints the peak
 * open fds and peak RSS of the metrix process (sampled from /proc). Asserts nothing, but
 * exits 1 when a command failed.
 *   npm run bench:fd -- [--servers 30] [--names 10] [--concurrency 25] [--ulimit 256] [--uploads 1] [--busy]
 * --uploads N runs upload N times in a row; --busy keeps both cores spinning meanwhile (one
 * Node child per core), the load under which fast commands used to lose their exit status.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/poll/collector-bundle.js';
import { availableParallelism } from 'node:os';
import { burnCpu } from '../test/farm/cpu-burner.js';
import { startFarm } from '../test/farm/farm.js';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '30' },
    names: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '25' },
    ulimit: { type: 'string', default: '256' },
    uploads: { type: 'string', default: '1' },
    busy: { type: 'boolean', default: false },
  },
});
const servers = Number(values.servers);
const hosts = servers * Number(values.names);
const SAMPLE_MS = 20;

interface Measured {
  readonly code: number | null;
  readonly peakFds: number;
  readonly peakRssKiB: number;
  readonly seconds: number;
  readonly errors: readonly string[];
}

/** Runs bin/metrix.js under the fd limit, sampling its open fds and high-water RSS. */
function runCli(args: readonly string[], cwd: string): Promise<Measured> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    // `exec`: the pid is node's, so /proc/<pid> is the metrix process itself.
    const script = `ulimit -n ${Number(values.ulimit)} && exec "$0" "$@"`;
    const child = spawn('bash', ['-c', script, process.execPath, join(packageRoot(), 'bin', 'metrix.js'), ...args], { cwd });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let peakFds = 0;
    let peakRssKiB = 0;
    const sample = (): void => {
      try {
        peakFds = Math.max(peakFds, readdirSync(`/proc/${child.pid}/fd`).length);
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peakRssKiB = Math.max(peakRssKiB, Number(hwm[1]));
      } catch {
        // The process is gone between two samples.
      }
    };
    const timer = setInterval(sample, SAMPLE_MS);
    child.on('close', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ code, peakFds, peakRssKiB, seconds, errors: stderr.split('\n').filter((line) => /ERROR|EMFILE/.test(line)) });
    });
  });
}

const farm = await startFarm({ servers });
const burners = values.busy ? burnCpu(availableParallelism()) : undefined;
const dir = mkdtempSync(join(tmpdir(), 'metrix-bench-fd-'));
let failed = false;
try {
  const entries = Array.from({ length: hosts }, (_, i) => {
    const server = farm.servers[i % servers]!;
    return `<host name="h${i}" address="127.0.0.1" port="${server.port}" remoteDir="${join(dir, 'remote', `h${i}`)}"/>`;
  });
  const config = join(dir, 'config.xml');
  writeFileSync(
    config,
    `<metrix><settings concurrency="${values.concurrency}" connectTimeout="30s" commandTimeout="60s"/>
     <defaults identityFile="${farm.clientKey.path}" knownHosts="${farm.knownHosts}" node="${process.execPath}"/>
     <hosts>${entries.join('')}</hosts></metrix>`,
  );
  console.log(
    `farm: ${servers} sshd, ${hosts} hosts, concurrency ${values.concurrency}, ulimit -n ${values.ulimit}` +
      `${burners ? `, ${availableParallelism()} cores kept busy` : ''}; ${process.version}`,
  );
  for (const command of [...Array.from({ length: Number(values.uploads) }, () => 'upload'), 'execute']) {
    const run = await runCli([command, '-c', config], dir);
    failed ||= run.code !== 0;
    console.log(
      `${command.padEnd(8)} exit ${run.code}, ${run.errors.length} error lines, ${run.seconds.toFixed(1)} s; ` +
        `peak open fds ${run.peakFds}, peak RSS ${(run.peakRssKiB / 1024).toFixed(0)} MiB`,
    );
    for (const line of run.errors.slice(0, 5)) console.log(`  ${line}`);
  }
} finally {
  burners?.stop();
  await farm.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
