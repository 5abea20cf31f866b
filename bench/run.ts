/**
 * Warm against cold: on a farm of real sshd on 127.0.0.1 (one daemon per host by default),
 * cold `metrix execute`, steady cycles of `metrix run` (both the real CLI in a child process),
 * and with --compare parallel-ssh and ClusterShell running the same sealed collector, side
 * by side in one run, with the goals of issue #8 beside them. Prints figures; asserts nothing.
 *   npm run bench:run -- [--hosts 200] [--servers <hosts>] [--concurrency 25] [--every 1s]
 *     [--settle 15] [--cycles 10] [--repeats 1] [--compare] [--busy] [--trace-cycles]
 *     [--profile DIR] [--profile-residents DIR] [--perf FILE] [--node-option=--flag ...]
 *   npm run bench:run -- --soak [2000] [--hosts 20] [--servers <hosts>]
 *                                          memory of `metrix run` in-process over many cycles
 *   npm run bench:run -- --done-means      the check of the issue's "Done means"
 * --servers below --hosts puts several host names on each daemon (1,000 kept connections
 * over 200 daemons). Of `metrix run`, the first cycle (it dials) and --settle more are shown
 * apart: V8 is still compiling the residents' code (a resident's first polls cost about twice
 * a later one, and around its 8th-11th all residents optimise at once, at 3-4 times); then
 * --cycles more are measured. --busy keeps every core spinning meanwhile. --trace-cycles
 * prints every cycle of `metrix run` with its own CPU split (one more pass over /proc each).
 * Profiling (it inflates the figures): --profile writes V8 CPU profiles of the metrix
 * processes to DIR, --profile-residents those of the resident collectors (each one's sampling
 * thread costs CPU all the time: use it with few hosts); read them with
 * dist/bench/profile-summary.js. --perf records the whole machine over each measured window
 * of `metrix run` (perf record -a -g into FILE.<repeat>; perf report -i FILE.1 --sort pid,dso)
 * and the cold execute process (FILE.execute.<repeat>). --node-option passes a flag to Node
 * in the metrix processes (e.g. --node-option=--max-semi-space-size=1), to try what it changes.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkDuration, DURATION_RANGES } from '../src/config/duration.js';
import { burnCpu } from '../test/farm/cpu-burner.js';
import { runDoneMeans } from './done-means.js';
import { profileResidents, startBenchFarm, type BenchFarm } from './farm-layout.js';
import { medianFigures, TABLE_NOTES, tableHeader, tableRow, type Figures } from './figures.js';
import { printGoals } from './goals.js';
import { metrixArgv, okCount } from './metrix-cli.js';
import { otherTools } from './other-tools.js';
import { runSoak } from './soak.js';
import { describeWarmRuns, oneShotFigures, warmPhases } from './run-report.js';
import { gnuTimeMissing, runTimed, type Timed } from './timed-command.js';
import { measureWarmRun, type WarmRun } from './warm-run.js';
import { backgroundRate } from './window.js';

const BACKGROUND_MS = 3000;

// `--soak` without a count means the 2,000 cycles.
const args = process.argv.slice(2).flatMap((arg, i, all) => (arg === '--soak' && !/^\d+$/.test(all[i + 1] ?? '') ? [arg, '2000'] : [arg]));
const { values } = parseArgs({
  args,
  options: {
    hosts: { type: 'string' },
    servers: { type: 'string' },
    concurrency: { type: 'string', default: '25' },
    cycles: { type: 'string', default: '10' },
    settle: { type: 'string', default: '15' },
    every: { type: 'string', default: '1s' },
    repeats: { type: 'string', default: '1' },
    compare: { type: 'boolean', default: false },
    busy: { type: 'boolean', default: false },
    profile: { type: 'string' },
    'profile-residents': { type: 'string' },
    perf: { type: 'string' },
    'node-option': { type: 'string', multiple: true, default: [] },
    'trace-cycles': { type: 'boolean', default: false },
    soak: { type: 'string' },
    'done-means': { type: 'boolean', default: false },
  },
});
const soakCycles = values.soak === undefined ? undefined : Number(values.soak);

async function compareWarmAndCold(): Promise<void> {
  const hosts = Number(values.hosts ?? 200);
  const concurrency = Number(values.concurrency);
  const cycles = Number(values.cycles);
  const every = checkDuration(values.every, DURATION_RANGES.every);
  if ('error' in every) throw new Error(`--every ${values.every}: ${every.error}`);
  const bench = await startBenchFarm({ hosts, servers: Number(values.servers ?? hosts), concurrency, label: 'run' });
  // --perf-basic-prof: the poller's JavaScript has names in perf's report (maps in /tmp/perf-<pid>.map).
  const nodeOptions = [
    ...values['node-option'],
    ...(values.profile ? ['--cpu-prof', '--cpu-prof-dir', values.profile] : []),
    ...(values.perf ? ['--perf-basic-prof'] : []),
  ];
  if (values['profile-residents']) profileResidents(bench, values['profile-residents']);
  let burners: { stop(): void } | undefined;
  try {
    console.log(
      `farm: ${bench.daemons.length} sshd on 127.0.0.1, ${hosts} hosts (each its own name, remoteDir and key pair), ` +
        `concurrency ${concurrency}, ${availableParallelism()} cores; ${process.version}`,
    );
    const upload = await timedMetrix(bench, ['upload'], []);
    console.log(`upload: ${(upload.usage.wallMs / 1000).toFixed(1)} s, ${okCount(upload.output) ?? '?'} ok, exit ${upload.exit}`);
    const first = await timedMetrix(bench, ['execute'], []);
    console.log(`execute (first poll, counters warm up; not measured): ${(first.usage.wallMs / 1000).toFixed(1)} s, ${okCount(first.output) ?? '?'} ok, exit ${first.exit}`);
    if (values.busy) burners = burnCpu(availableParallelism());
    if (burners) console.log(`${availableParallelism()} CPU burners running (--busy)`);
    const tools = values.compare ? otherTools(bench, concurrency) : [];
    for (const tool of tools) if (tool.missing) console.log(`${tool.name}: ${tool.missing}`);

    const results = new Map<string, Figures[]>();
    const warmRuns: WarmRun[] = [];
    const add = (figures: Figures): void => {
      results.set(figures.tool, [...(results.get(figures.tool) ?? []), figures]);
      console.log(tableRow(figures));
    };
    console.log(`\n${tableHeader()}`);
    for (let repeat = 0; repeat < Number(values.repeats); repeat++) {
      // Others' work on a shared machine shows in the machine column; this says how much there was.
      const background = await backgroundRate(bench.daemons, BACKGROUND_MS);
      console.log(`(repeat ${repeat + 1}: background load before it, nothing of ours running: ${(background * 100).toFixed(0)}% of a core)`);
      const coldFigures = (tool: string, timed: Timed, ok: (output: string) => number | undefined): Figures => oneShotFigures(tool, timed, hosts, ok);
      const perfCold = values.perf ? ['perf', 'record', '-g', '-F', '999', '-o', `${values.perf}.execute.${repeat + 1}`, '--'] : [];
      add(coldFigures('metrix execute (cold)', await timedMetrix(bench, ['execute'], nodeOptions, perfCold), okCount));
      const warm = await measureWarmRun({
        config: bench.config,
        cwd: bench.dir,
        every: values.every,
        everyMs: every.value,
        settle: Number(values.settle),
        stop: { cycles },
        daemons: bench.daemons,
        residentMarker: join(bench.dir, 'remote'),
        nodeOptions,
        traceCycles: values['trace-cycles'],
        ...(values.perf ? { perfFile: `${values.perf}.${repeat + 1}` } : {}),
      });
      warmRuns.push(warm);
      for (const figures of warmPhases(warm, hosts)) add(figures);
      for (const tool of tools.filter((t) => !t.missing)) {
        const timed = await runTimed(tool.argv, { cwd: bench.dir, daemons: bench.daemons, outFile: join(bench.dir, 'tool-output.txt') });
        add(coldFigures(tool.name, timed, tool.okHosts));
      }
    }
    const medians = [...results.values()].map(medianFigures);
    if (Number(values.repeats) > 1) {
      console.log(`\nmedians over ${values.repeats} repeats (ok polls: the worst repeat; peak RSS: the highest)\n${tableHeader()}`);
      for (const figures of medians) console.log(tableRow(figures));
    }
    console.log(TABLE_NOTES.map((line) => `  ${line}`).join('\n'));
    describeWarmRuns(warmRuns, join(bench.dir, 'metrix.db'), hosts);
    printGoals(medians, hosts, Number(values.concurrency));
  } finally {
    burners?.stop();
    await bench.stop();
  }
}

/** Runs the metrix CLI to its end under GNU time, behind `wrapper` (e.g. perf record … --) if given. */
function timedMetrix(bench: BenchFarm, args: readonly string[], nodeOptions: readonly string[], wrapper: readonly string[] = []): Promise<Timed> {
  return runTimed([...wrapper, ...metrixArgv([...args, '-c', bench.config], nodeOptions)], { cwd: bench.dir, daemons: bench.daemons, outFile: join(bench.dir, 'metrix-output.txt') });
}

const missing = gnuTimeMissing();
if (missing) throw new Error(missing);
if (soakCycles !== undefined) await runSoak({ cycles: soakCycles, hosts: Number(values.hosts ?? 20), servers: Number(values.servers ?? values.hosts ?? 20) });
else if (values['done-means']) await runDoneMeans();
else await compareWarmAndCold();
