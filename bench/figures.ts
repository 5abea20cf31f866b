/**
 * The figures of one measured poll of every host (one cold run, or one warm cycle on average),
 * normalised per host-poll, and the side-by-side table with medians over repeats.
 */

export interface Figures {
  readonly tool: string;
  /** One run, or one warm cycle (the median of the measured ones). */
  readonly wallS: number;
  readonly okPolls: number;
  readonly polls: number;
  /** The poller's own CPU (with its child processes for one-shot tools). */
  readonly pollerMs: number;
  /** sshd trees: sessions, collectors, their helpers. */
  readonly farmMs: number;
  /** Every core, everything running (this benchmark's log reading included). */
  readonly machineMs: number;
  readonly benchMs: number;
  readonly peakRssMiB: number;
  /** Host-polls per 10 s: as delivered on the schedule, and what back-to-back cycles would do. */
  readonly per10s?: { readonly delivered: number; readonly capacity: number };
}

export const median = (xs: readonly number[]): number => {
  const sorted = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Per field, the median over repeats of one tool's figures. */
export function medianFigures(runs: readonly Figures[]): Figures {
  const of = (pick: (f: Figures) => number): number => median(runs.map(pick));
  const first = runs[0]!;
  return {
    tool: first.tool,
    wallS: of((f) => f.wallS),
    okPolls: Math.min(...runs.map((f) => f.okPolls)),
    polls: first.polls,
    pollerMs: of((f) => f.pollerMs),
    farmMs: of((f) => f.farmMs),
    machineMs: of((f) => f.machineMs),
    benchMs: of((f) => f.benchMs),
    peakRssMiB: Math.max(...runs.map((f) => f.peakRssMiB)),
    ...(first.per10s ? { per10s: { delivered: of((f) => f.per10s!.delivered), capacity: of((f) => f.per10s!.capacity) } } : {}),
  };
}

const COLUMNS: ReadonlyArray<[string, number, (f: Figures) => string]> = [
  ['', 32, (f) => f.tool],
  ['wall s', 8, (f) => fixed(f.wallS, 2)],
  ['ok polls', 13, (f) => `${f.okPolls}/${f.polls}`],
  ['poller ms/host', 15, (f) => fixed(f.pollerMs, 1)],
  ['sshd+coll ms', 13, (f) => fixed(f.farmMs, 1)],
  ['machine ms', 11, (f) => fixed(f.machineMs, 1)],
  ['ours', 8, (f) => fixed(oursMs(f), 1)],
  ['(bench ms)', 11, (f) => fixed(f.benchMs, 1)],
  ['peak RSS MiB', 13, (f) => fixed(f.peakRssMiB, 0)],
  ['polls/10s', 10, (f) => (f.per10s ? fixed(f.per10s.delivered, 0) : '')],
  ['(capacity)', 11, (f) => (f.per10s ? fixed(f.per10s.capacity, 0) : '')],
];

/** All-in CPU of this experiment's processes: poller, host side and this benchmark. */
export const oursMs = (f: Figures): number => f.pollerMs + f.farmMs + f.benchMs;

const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');

export function tableHeader(): string {
  return COLUMNS.map(([title, width], i) => (i === 0 ? title.padEnd(width) : title.padStart(width))).join('');
}

export function tableRow(f: Figures): string {
  return COLUMNS.map(([, width, cell], i) => (i === 0 ? cell(f).padEnd(width) : cell(f).padStart(width))).join('');
}

export const TABLE_NOTES = [
  'wall: one run for one-shot tools, one cycle (median of the measured ones) for metrix run',
  'ms figures are CPU per host-poll: poller = the polling process (one-shot tools: with their ssh children);',
  '  sshd+coll = the farm daemons\' trees (sessions, collectors, statfs helpers; resident collectors included);',
  '  machine = /proc/stat busy time of all cores over the window, whatever ran (others\' tests too: see the',
  '  background load); ours = poller + sshd+coll + (bench), this benchmark\'s own share (reading sshd logs)',
  'peak RSS: VmHWM of the metrix process; for the other tools their largest process (GNU time)',
  'polls/10s: host-polls delivered per 10 s on the --every schedule; capacity: hosts / cycle wall x 10 s',
];
