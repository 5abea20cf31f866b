import type { Host } from '../config/types.js';
import type { Store } from '../store/store.js';
import { assembleOverview, OVERVIEW_METRICS, type HostOverview } from './overview.js';

/**
 * Reads what the overview of `hosts` needs: each host's latest poll and latest good one, the
 * samples of that good poll alone, and the firing alerts. Without a store (nothing stored
 * yet) every host is "never polled".
 */
export function readOverview(store: Store | undefined, hosts: readonly Host[]): HostOverview[] {
  if (!store) return assembleOverview({ hosts, polls: new Map(), samples: new Map(), firing: [] });
  const names = hosts.map((host) => host.name);
  const polls = store.lastPolls(names);
  const seen = names.flatMap((host) => {
    const ts = polls.get(host)?.lastOk?.ts;
    return ts === undefined ? [] : [{ host, ts }];
  });
  const selected = new Set(names);
  return assembleOverview({
    hosts,
    polls,
    samples: store.samplesAt(seen, OVERVIEW_METRICS),
    firing: store.alerts.list({ since: 0, firingOnly: true }).filter((alert) => selected.has(alert.host)),
  });
}
