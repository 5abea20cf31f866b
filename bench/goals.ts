/** Issue #8's goals beside the measured figures: figures, not tests; nothing fails on them. */
import { oursMs, type Figures } from './figures.js';

interface Goal {
  readonly goal: string;
  /** The figure, or undefined when its measurement did not run. */
  readonly measured: (of: (tool: string) => Figures | undefined, hosts: number) => { text: string; met: boolean | string } | undefined;
}

const GOAL_MIB = 150e6 / 2 ** 20;

const GOALS: readonly Goal[] = [
  {
    goal: 'cold execute wall <= 1.0x parallel-ssh',
    measured: (of) => {
      const [metrix, pssh] = [of('metrix execute'), of('parallel-ssh')];
      if (!metrix || !pssh) return undefined;
      const ratio = metrix.wallS / pssh.wallS;
      return { text: `${ratio.toFixed(2)}x (${metrix.wallS.toFixed(2)} s vs ${pssh.wallS.toFixed(2)} s)`, met: ratio <= 1 };
    },
  },
  {
    goal: 'cold execute poller CPU <= 10 ms per host',
    measured: (of) => {
      const metrix = of('metrix execute');
      return metrix && { text: `${metrix.pollerMs.toFixed(1)} ms`, met: metrix.pollerMs <= 10 };
    },
  },
  {
    goal: 'warm run >= 2,000 host-polls in 10 s',
    measured: (of) => {
      const run = of('metrix run (warm');
      if (!run?.per10s) return undefined;
      const { delivered, capacity } = run.per10s;
      const text = `${delivered.toFixed(0)} delivered on the --every schedule, ${capacity.toFixed(0)} with cycles back to back`;
      return { text, met: delivered >= 2000 ? true : capacity >= 2000 ? 'back to back only' : false };
    },
  },
  {
    goal: 'warm run all-in <= 10 ms machine CPU per host-poll',
    measured: (of) => {
      const run = of('metrix run (warm');
      return run && { text: `${oursMs(run).toFixed(1)} ms ours (poller + host side + bench); whole machine ${run.machineMs.toFixed(1)} ms, others' work included`, met: oursMs(run) <= 10 };
    },
  },
  {
    goal: 'warm run polls every host every cycle',
    measured: (of) => {
      const run = of('metrix run (warm');
      return run && { text: `${run.okPolls}/${run.polls} ok`, met: run.okPolls === run.polls };
    },
  },
  {
    goal: 'peak RSS <= 150 MB (143 MiB) for 1,000 hosts, execute',
    measured: (of, hosts) => {
      const metrix = of('metrix execute');
      return metrix && { text: `${metrix.peakRssMiB.toFixed(0)} MiB at ${hosts} hosts`, met: metrix.peakRssMiB <= GOAL_MIB };
    },
  },
  {
    goal: 'peak RSS <= 150 MB (143 MiB) for 1,000 hosts, run',
    measured: (of, hosts) => {
      const run = of('metrix run (warm');
      return run && { text: `${run.peakRssMiB.toFixed(0)} MiB at ${hosts} hosts (${hosts} kept connections)`, met: run.peakRssMiB <= GOAL_MIB };
    },
  },
];

export function printGoals(figures: readonly Figures[], hosts: number, concurrency: number): void {
  const of = (prefix: string): Figures | undefined => figures.find((f) => f.tool.startsWith(prefix));
  console.log(`\ngoals (issue #8; measured here at ${hosts} hosts, concurrency ${concurrency}):`);
  for (const { goal, measured } of GOALS) {
    const result = measured(of, hosts);
    const verdict = result === undefined ? 'not measured' : result.met === true ? 'met' : result.met === false ? 'NOT met' : result.met;
    console.log(`  ${goal.padEnd(56)} ${verdict.padEnd(18)} ${result?.text ?? ''}`);
  }
}
