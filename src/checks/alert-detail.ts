import type { AlertDetail } from '../alerts/types.js';
import type { Labels } from '../metrics/labels.js';
import type { WatchText } from '../store/watch-text-store.js';

/** Reads the latest text of a host's check or log (the store's WatchTextStore.latest). */
export type LatestText = (host: string, kind: 'check' | 'log', name: string) => WatchText | undefined;

/**
 * What an alert mail shows beside the numbers: for check_status the plugin's first output
 * line, for log_matches the last matching lines; nothing for other metrics.
 */
export function alertDetail(metric: string, host: string, labels: Labels, latest: LatestText): AlertDetail | undefined {
  if (metric === 'check_status' && labels['check'] !== undefined) {
    const found = latest(host, 'check', labels['check']);
    return found ? { label: 'output', lines: [found.text] } : undefined;
  }
  if (metric === 'log_matches' && labels['log'] !== undefined) {
    const found = latest(host, 'log', labels['log']);
    return found && found.lines.length > 0 ? { label: 'lines', lines: found.lines } : undefined;
  }
  return undefined;
}
