import type { Sample } from '../../client-script/src/protocol.js';
import type { AlertRecord } from '../store/alert-store.js';
import type { HostPolls } from '../store/fleet.js';

export type HostState = 'up' | 'down' | 'never polled';

/** One line of `metrix hosts`: a configured host as its polls and alerts leave it. */
export interface HostOverview {
  readonly host: string;
  readonly groups: readonly string[];
  readonly state: HostState;
  /** Why the latest poll failed, when the host is down. */
  readonly failure: { readonly reason: string; readonly message: string } | undefined;
  /** Collectors that failed on the latest poll of a host that is up. */
  readonly warnings: string | undefined;
  /** When the host last answered (its latest successful poll); undefined if it never did. */
  readonly lastSeen: number | undefined;
  /** When it was last polled, answered or not. */
  readonly lastPoll: number | undefined;
  readonly cpuPercent: number | undefined;
  readonly memPercent: number | undefined;
  readonly load1: number | undefined;
  /** The filesystem with the highest disk_used_percent. */
  readonly fullestDisk: { readonly usedPercent: number; readonly mount: string } | undefined;
  /** Firing alerts of the host, by rule name. */
  readonly alerts: readonly AlertRecord[];
}

/** The metrics a line shows, read from each host's latest successful poll. */
export const OVERVIEW_METRICS: readonly string[] = ['cpu_percent', 'mem_percent', 'load1', 'disk_used_percent'];

export interface OverviewInput {
  readonly hosts: ReadonlyArray<{ readonly name: string; readonly groups: readonly string[] }>;
  readonly polls: ReadonlyMap<string, HostPolls>;
  /** Samples of OVERVIEW_METRICS at each host's latest successful poll. */
  readonly samples: ReadonlyMap<string, readonly Sample[]>;
  /** Firing alerts, any host. */
  readonly firing: readonly AlertRecord[];
}

/** One line per host, problems first (see `problemRank`). Pure: data in, data out. */
export function assembleOverview(input: OverviewInput): HostOverview[] {
  const firingOf = groupBy(input.firing, (alert) => alert.host);
  const lines = input.hosts.map((host): HostOverview => {
    const polls = input.polls.get(host.name);
    const samples = input.samples.get(host.name) ?? [];
    const value = (metric: string): number | undefined => samples.find((sample) => sample.m === metric)?.v;
    const last = polls?.last;
    const state: HostState = last === undefined ? 'never polled' : last.ok ? 'up' : 'down';
    return {
      host: host.name,
      groups: host.groups,
      state,
      failure: last && !last.ok ? { reason: last.reason ?? 'unknown', message: last.message ?? '' } : undefined,
      warnings: last?.ok ? last.message : undefined,
      lastSeen: polls?.lastOk?.ts,
      lastPoll: last?.ts,
      cpuPercent: value('cpu_percent'),
      memPercent: value('mem_percent'),
      load1: value('load1'),
      fullestDisk: fullestDisk(samples),
      alerts: [...(firingOf.get(host.name) ?? [])].sort((a, b) => compareText(a.rule, b.rule) || compareText(a.code, b.code)),
    };
  });
  return lines.sort((a, b) => problemRank(a) - problemRank(b) || compareNames(a.host, b.host));
}

/** Down hosts first, then hosts up with firing alerts, then the rest. */
export function problemRank(line: HostOverview): number {
  if (line.state === 'down') return 0;
  return line.state === 'up' && line.alerts.length > 0 ? 1 : 2;
}

function fullestDisk(samples: readonly Sample[]): HostOverview['fullestDisk'] {
  let best: HostOverview['fullestDisk'];
  for (const sample of samples) {
    if (sample.m !== 'disk_used_percent') continue;
    const mount = sample.l?.['mount'] ?? '';
    if (!best || sample.v > best.usedPercent || (sample.v === best.usedPercent && compareText(mount, best.mount) < 0)) best = { usedPercent: sample.v, mount };
  }
  return best;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(key(item));
    if (list) list.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
// Natural order (n2 before n10), the same on every machine; code units break the ties it leaves.
const collator = new Intl.Collator('en', { numeric: true });
const compareNames = (a: string, b: string): number => collator.compare(a, b) || compareText(a, b);
