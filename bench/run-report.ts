/** The rows and notes bench:run prints for one-shot tools and for the phases of a warm run. */
import { median, type Figures } from './figures.js';
import { storedRuns } from './stored-polls.js';
import type { Timed } from './timed-command.js';
import type { CycleLine, WarmRun } from './warm-run.js';
import type { Usage } from './window.js';

export function oneShotFigures(tool: string, timed: Timed, hosts: number, ok: (output: string) => number | undefined): Figures {
  const { usage } = timed;
  return {
    tool,
    wallS: usage.wallMs / 1000,
    okPolls: ok(timed.output) ?? 0,
    polls: hosts,
    pollerMs: timed.cpuMs / hosts,
    farmMs: usage.farmMs / hosts,
    machineMs: usage.machineMs / hosts,
    benchMs: usage.benchMs / hosts,
    peakRssMiB: timed.maxRssKiB / 1024,
  };
}

/** A warm run's rows: its first (dialing) cycle, the settling ones, and the measured ones. */
export function warmPhases(warm: WarmRun, hosts: number): Figures[] {
  const rows: Figures[] = [];
  const { dialCycle, dialUsage, settleCycles, settleUsage } = warm;
  if (dialCycle && dialUsage) rows.push(warmFigures('metrix run, first cycle (dials)', [dialCycle], dialUsage, warm.dialPollerCpuMs, hosts, false));
  if (settleUsage) rows.push(warmFigures(`metrix run, ${settleCycles.length} settling cycles`, settleCycles, settleUsage, warm.settlePollerCpuMs, hosts));
  const steady = warmFigures(`metrix run (warm, ${warm.cycles.length} cycles)`, warm.cycles, warm.usage, warm.pollerCpuMs, hosts);
  rows.push({ ...steady, peakRssMiB: warm.peakRssKiB / 1024 });
  return rows;
}

function warmFigures(tool: string, cycles: readonly CycleLine[], usage: Usage | undefined, pollerCpuMs: number, hosts: number, onSchedule = true): Figures {
  const polls = cycles.length * hosts;
  const okPolls = cycles.reduce((sum, cycle) => sum + cycle.ok, 0);
  const wallMs = median(cycles.map((cycle) => cycle.wallMs));
  return {
    tool,
    wallS: wallMs / 1000,
    okPolls,
    polls,
    pollerMs: pollerCpuMs / polls,
    farmMs: (usage?.farmMs ?? NaN) / polls,
    machineMs: (usage?.machineMs ?? NaN) / polls,
    benchMs: (usage?.benchMs ?? NaN) / polls,
    peakRssMiB: NaN,
    ...(onSchedule && {
      per10s: {
        delivered: usage ? (okPolls / usage.wallMs) * 10_000 : NaN,
        // Cycles back to back, as a shorter --every would run them.
        capacity: (hosts / Math.max(wallMs, 1)) * 10_000,
      },
    }),
  };
}

export function describeWarmRuns(runs: readonly WarmRun[], database: string, hosts: number): void {
  console.log('\nmetrix run, each repeat:');
  runs.forEach((warm, i) => {
    const stored = storedRuns(database, warm.from - 50, warm.to, hosts);
    const walls = warm.cycles.map((cycle) => (cycle.wallMs / 1000).toFixed(2)).join(' ');
    const perHost = (warm.rssAtEndKiB - warm.rssAtStartKiB) / hosts;
    const measured = new Set(warm.cycles.map((cycle) => cycle.n));
    const overruns = warm.warnings.filter((line) => measured.has(Number(/ WARN cycle (\d+) ran past/.exec(line)?.[1]))).length;
    console.log(
      `  #${i + 1}: cycle walls ${walls} s (${overruns} ran past the next start); stored ${stored.runs} cycles, ${stored.complete} with every host ok (${stored.okPolls} ok, ${stored.failedPolls} failed polls); ` +
        `RSS ${mib(warm.rssAtStartKiB)} MiB before dialing -> ${mib(warm.rssAtEndKiB)} MiB after, ${perHost.toFixed(0)} KiB per kept connection + resident; ` +
        `one resident collector: PSS ${warm.residentPssKiB === undefined ? '?' : mib(warm.residentPssKiB)} MiB (host side); ` +
        `SIGTERM -> exit ${warm.exit} in ${(warm.stopMs / 1000).toFixed(1)} s`,
    );
    if (warm.usage) console.log(`      per host-poll: ${describeSplit(warm, hosts)}`);
    for (const { cycle, usage, pollerCpuMs, rssKiB, hwmKiB } of warm.trace) {
      const per = (ms: number | undefined): string => ((ms ?? 0) / cycle.hosts).toFixed(2).padStart(6);
      console.log(
        `      cycle ${String(cycle.n).padStart(3)}: wall ${(cycle.wallMs / 1000).toFixed(2).padStart(6)} s, ${cycle.ok}/${cycle.hosts} ok; ms per host-poll: ` +
          `collector node ${per(usage.farmByName.get('node'))}, its children ${per(usage.farmByName.get('node children'))}, sshd ${per(usage.farmByName.get('sshd'))}, ` +
          `poller ${per(pollerCpuMs)}, machine ${per(usage.machineMs)} (window ${(usage.wallMs / 1000).toFixed(1)} s); poller RSS ${mib(rssKiB)} MiB, peak ${mib(hwmKiB)}`,
      );
    }
    for (const line of warm.warnings.slice(0, 5)) console.log(`    ${line}`);
    if (warm.warnings.length > 5) console.log(`    … ${warm.warnings.length - 5} more WARN/ERROR lines`);
  });
}

const mib = (kib: number): string => (kib / 1024).toFixed(1);

/** Who used the machine's CPU in a warm window, per host-poll: host side by command, poller, the rest. */
function describeSplit(warm: WarmRun, hosts: number): string {
  const usage = warm.usage!;
  const polls = warm.cycles.length * hosts;
  const farm = [...usage.farmByName].filter(([, ms]) => Math.abs(ms) >= 0.5).sort((a, b) => b[1] - a[1]);
  const rest = usage.machineMs - usage.farmMs - warm.pollerCpuMs - usage.benchMs;
  const ms = (x: number): string => `${(x / polls).toFixed(2)} ms`;
  return `${farm.map(([name, x]) => `${name} ${ms(x)}`).join(', ')} (host side, "node children" = statfs helpers); poller ${ms(warm.pollerCpuMs)}; bench ${ms(usage.benchMs)}; rest of the machine ${ms(rest)}`;
}
