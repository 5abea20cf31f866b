import { createHash } from 'node:crypto';
import type { Labels } from '../metrics/labels.js';
import { canonicalLabels } from '../metrics/labels.js';

/** Short tags for metric families, so a code says what it is about at a glance. */
const TAGS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^cpu_iowait/, 'IOW'],
  [/^cpu_/, 'CPU'],
  [/^load/, 'LOAD'],
  [/^mem_/, 'MEM'],
  [/^swap_/, 'SWAP'],
  [/^inodes_/, 'INOD'],
  [/^disk_(used|free)/, 'DISK'],
  [/^disk_/, 'DIO'],
  [/^net_/, 'NET'],
  [/^gpu_/, 'GPU'],
  [/^host_up$/, 'DOWN'],
  [/^procs_/, 'PROC'],
  [/^uptime/, 'UP'],
  [/^poll_/, 'POLL'],
];

export function metricTag(metric: string): string {
  return TAGS.find(([pattern]) => pattern.test(metric))?.[1] ?? metric.slice(0, 4).toUpperCase();
}

/**
 * A short code for a new alert, e.g. `2204-CPU-7f3`: day of month and hour (UTC) it started,
 * the metric's tag, and hex from a hash of what it is about, lengthened until it is unused.
 */
export function alertCode(rule: string, metric: string, host: string, labels: Labels, startedAt: number, taken: (code: string) => boolean): string {
  const hash = createHash('sha256').update(`${rule}\u0000${host}\u0000${canonicalLabels(labels)}\u0000${startedAt}`).digest('hex');
  for (let length = 3; length <= hash.length; length++) {
    const code = `${codePrefix(startedAt)}${metricTag(metric)}-${hash.slice(0, length)}`;
    if (!taken(code)) return code;
  }
  throw new Error('no free alert code');
}

/** How every code of an alert started at `startedAt` begins (`2204-`): only such codes can collide with it. */
export function codePrefix(startedAt: number): string {
  const date = new Date(startedAt);
  return `${String(date.getUTCDate()).padStart(2, '0')}${String(date.getUTCHours()).padStart(2, '0')}-`;
}
