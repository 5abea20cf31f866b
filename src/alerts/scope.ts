import type { AlertRule, Host } from '../config/types.js';
import { POLLER_HOST } from './self-monitoring.js';

/**
 * Hosts a rule applies to: those it names, plus the members of the groups it names; all
 * configured hosts when it names none (metrix's own pseudo-host only when named).
 */
export function inScope(rule: AlertRule, host: Host): boolean {
  if (rule.hosts.length === 0 && rule.groups.length === 0) return host.name !== POLLER_HOST;
  return rule.hosts.includes(host.name) || rule.groups.some((group) => host.groups.includes(group));
}
