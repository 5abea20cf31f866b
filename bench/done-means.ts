/**
 * Issue #8's "Done means", checked once on real parts: `metrix run --every 5s` on a 30-host
 * farm (one sshd each) for 40 s stores at least 6 polls per host; a steady cycle's sshd-side
 * CPU per poll is at most a third of a cold `execute`'s in the same run; SIGTERM ends it with
 * exit 0 within 10 s; `metrix hosts --format json` then lists all 30 up. Prints each figure
 * and whether it holds; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startBenchFarm } from './farm-layout.js';
import { metrixArgv, okCount } from './metrix-cli.js';
import { pollsPerHost } from './stored-polls.js';
import { runTimed, type Timed } from './timed-command.js';
import { measureWarmRun } from './warm-run.js';

const HOSTS = 30;
const RUN_FOR_MS = 40_000;

export async function runDoneMeans(): Promise<void> {
  const bench = await startBenchFarm({ hosts: HOSTS, servers: HOSTS, concurrency: 25, label: 'done' });
  try {
    const timed = (args: string[], out: string): Promise<Timed> => runTimed(metrixArgv([...args, '-c', bench.config]), { cwd: bench.dir, daemons: bench.daemons, outFile: join(bench.dir, out) });
    const upload = await timed(['upload'], 'upload.txt');
    await timed(['execute'], 'first-execute.txt');
    const cold = await timed(['execute'], 'execute.txt');
    const coldFarmMs = cold.usage.farmMs / HOSTS;
    console.log(`done means: ${HOSTS} hosts on ${HOSTS} sshd; upload ${okCount(upload.output) ?? '?'} ok; cold execute ${okCount(cold.output) ?? '?'} ok in ${(cold.usage.wallMs / 1000).toFixed(2)} s, sshd + collector CPU ${coldFarmMs.toFixed(1)} ms per poll`);

    const startedAt = Date.now();
    const warm = await measureWarmRun({
      config: bench.config,
      cwd: bench.dir,
      every: '5s',
      everyMs: 5000,
      stop: { afterMs: RUN_FOR_MS },
      daemons: bench.daemons,
      residentMarker: join(bench.dir, 'remote'),
    });
    const steadyPolls = warm.cycles.length * HOSTS;
    const steadyFarmMs = (warm.usage?.farmMs ?? NaN) / steadyPolls;
    const allPolls = steadyPolls + (warm.dialCycle ? HOSTS : 0);
    const withDialFarmMs = (warm.usageWithDial?.farmMs ?? NaN) / allPolls;
    const stored = [...pollsPerHost(join(bench.dir, 'metrix.db'), startedAt).values()];
    const fewest = stored.length === HOSTS ? Math.min(...stored.map((host) => host.polls)) : 0;
    const fewestOk = stored.length === HOSTS ? Math.min(...stored.map((host) => host.ok)) : 0;
    const [node, ...hostsArgs] = metrixArgv(['hosts', '--format', 'json', '-c', bench.config]);
    const listed = JSON.parse(execFileSync(node!, hostsArgs, { cwd: bench.dir, encoding: 'utf8' })) as Array<{ host: string; state: string }>;
    const up = listed.filter((line) => line.state === 'up').length;

    const oks = [warm.dialCycle, ...warm.cycles].map((cycle) => (cycle ? `${cycle.ok}/${cycle.hosts}` : '?'));
    console.log(`metrix run --every 5s for ${RUN_FOR_MS / 1000} s: ${oks.length} cycles, ok hosts in each: ${oks.join(' ')}`);
    for (const line of warm.warnings.slice(0, 5)) console.log(`  ${line}`);
    const checks: Array<[string, boolean, string]> = [
      ['at least 6 polls stored per host', fewest >= 6, `fewest ${fewest} (fewest ok ${fewestOk}) over ${stored.length} hosts`],
      [
        "a cycle's sshd-side CPU per poll <= 1/3 of a cold execute's",
        steadyFarmMs <= coldFarmMs / 3,
        `steady cycles ${steadyFarmMs.toFixed(2)} ms vs cold ${coldFarmMs.toFixed(1)} ms = 1/${(coldFarmMs / steadyFarmMs).toFixed(1)}; ` +
          `with the first (dialing) cycle ${withDialFarmMs.toFixed(2)} ms = 1/${(coldFarmMs / withDialFarmMs).toFixed(1)}`,
      ],
      ['SIGTERM: exit 0 within 10 s', warm.exit === 0 && warm.stopMs <= 10_000, `exit ${warm.exit} after ${(warm.stopMs / 1000).toFixed(2)} s`],
      [`metrix hosts --format json lists all ${HOSTS} up`, up === HOSTS && listed.length === HOSTS, `${up} up of ${listed.length} listed`],
    ];
    for (const [what, holds, figures] of checks) console.log(`  ${holds ? 'holds' : 'FAILS'}  ${what.padEnd(60)} ${figures}`);
  } finally {
    await bench.stop();
  }
}
