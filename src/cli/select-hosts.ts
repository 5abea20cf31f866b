import type { Config, Host } from '../config/types.js';
import { usageError } from '../errors.js';
import { escapeControl } from '../text/escape.js';
import { shownValue } from '../config/shape.js';

/** A name typed on the command line, as shown back: no control characters, not too long. */
const typed = (name: string): string => escapeControl(shownValue(name));

/**
 * The hosts named by repeatable -h and -g, in config order; every host when neither is given.
 * An unknown name is a usage error before any connection is made.
 */
export function selectHosts(config: Config, hostNames: readonly string[], groupNames: readonly string[]): Host[] {
  const known = new Set(config.hosts.map((host) => host.name));
  const unknownHosts = hostNames.filter((name) => !known.has(name));
  const unknownGroups = groupNames.filter((name) => !config.groups.has(name));
  const problems = [
    ...unknownHosts.map((name) => `unknown host "${typed(name)}" (hosts in ${config.path}: ${[...known].join(', ')})`),
    ...unknownGroups.map((name) => `unknown group "${typed(name)}" (groups: ${[...config.groups.keys()].join(', ') || 'none defined'})`),
  ];
  if (problems.length > 0) throw usageError(problems.join('; '));
  if (hostNames.length === 0 && groupNames.length === 0) return [...config.hosts];
  const wanted = new Set([...hostNames, ...groupNames.flatMap((group) => config.groups.get(group) ?? [])]);
  return config.hosts.filter((host) => wanted.has(host.name));
}
