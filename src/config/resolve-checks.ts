import { SPEC_LIMITS } from '../../client-script/src/checks-spec.js';
import { logPatternProblem } from '../../client-script/src/logs-pattern.js';
import { readAttributes } from './attributes.js';
import { CHECK_ATTRS, LOG_ATTRS } from './schema.js';
import { describeElement, shownValue } from './shape.js';
import type { CheckConfig, LogConfig } from './types.js';
import type { XmlElement } from './xml.js';

/**
 * every: Nagios's usual check interval; timeout: the monitoring-plugins' own default is 10 s.
 * A log's match is case-sensitive unless ignoreCase="true".
 */
export const CHECK_DEFAULTS = { everyMs: 5 * 60_000, timeoutMs: 10_000 } as const;

// Commands and paths go to a shell and a file system on the host: one line of printable text.
const CONTROL = /[\u0000-\u001f\u007f]/;

const childrenOf = (element: XmlElement | undefined, name: string): XmlElement[] => element?.children.filter((c) => c.name === name) ?? [];

/** Checks in config order; one without a usable name or command is left out (already reported). */
export function resolveChecks(element: XmlElement | undefined, problems: string[]): CheckConfig[] {
  const checks: CheckConfig[] = [];
  for (const child of childrenOf(element, 'check')) {
    const attrs = readAttributes(child, CHECK_ATTRS, problems);
    const where = describeElement(child);
    const command = attrs.command?.trim();
    if (command !== undefined && (command.length > SPEC_LIMITS.commandLength || CONTROL.test(command))) {
      problems.push(`${where} command="${shownValue(command)}": must be one line of at most ${SPEC_LIMITS.commandLength} characters`);
      continue;
    }
    if (attrs.name === undefined || command === undefined) continue;
    checks.push({
      name: attrs.name,
      command,
      everyMs: attrs.every ?? CHECK_DEFAULTS.everyMs,
      timeoutMs: attrs.timeout ?? CHECK_DEFAULTS.timeoutMs,
      hosts: attrs.hosts ?? [],
      groups: attrs.groups ?? [],
    });
  }
  return checks;
}

/** Logs in config order; one whose path or match cannot be used is left out (and reported). */
export function resolveLogs(element: XmlElement | undefined, problems: string[]): LogConfig[] {
  const logs: LogConfig[] = [];
  for (const child of childrenOf(element, 'log')) {
    const attrs = readAttributes(child, LOG_ATTRS, problems);
    const where = describeElement(child);
    const path = attrs.path?.trim();
    let usable = true;
    if (path !== undefined && (!path.startsWith('/') || path.length > SPEC_LIMITS.pathLength || CONTROL.test(path))) {
      problems.push(`${where} path="${shownValue(path)}": must be an absolute path on the hosts, at most ${SPEC_LIMITS.pathLength} characters`);
      usable = false;
    }
    // Not trimmed: spaces may be part of the pattern.
    const match = child.attributes.match;
    const wrong = match === undefined ? undefined : logPatternProblem(match);
    if (match !== undefined && wrong) {
      problems.push(`${where} match="${shownValue(match)}": ${wrong}`);
      usable = false;
    }
    if (!usable || attrs.name === undefined || path === undefined || match === undefined) continue;
    logs.push({ name: attrs.name, path, match, ignoreCase: attrs.ignoreCase ?? false, hosts: attrs.hosts ?? [], groups: attrs.groups ?? [] });
  }
  return logs;
}
