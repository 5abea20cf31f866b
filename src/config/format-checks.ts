import { formatDuration } from './duration.js';
import { formatScope } from './format.js';
import type { Config } from './types.js';

/**
 * The checks and logs of `metrix config check`, one line each, e.g.
 * `slurmd: every 5m, timeout 10s, scope groups=compute: /usr/lib/nagios/plugins/check_procs -c 1: -C slurmd`;
 * nothing when the config has neither, so configs without them read as before.
 */
export function formatWatches(config: Pick<Config, 'checks' | 'logs'>): string[] {
  const lines: string[] = [];
  if (config.checks.length > 0) {
    lines.push(`checks (${config.checks.length})`);
    for (const check of config.checks) {
      lines.push(`  ${check.name}: every ${formatDuration(check.everyMs)}, timeout ${formatDuration(check.timeoutMs)}, ${formatScope(check)}: ${check.command}`);
    }
    lines.push('');
  }
  if (config.logs.length > 0) {
    lines.push(`logs (${config.logs.length})`);
    for (const log of config.logs) lines.push(`  ${log.name}: ${log.path} match /${log.match}/${log.ignoreCase ? 'i' : ''}, ${formatScope(log)}`);
    lines.push('');
  }
  return lines;
}
