import { formatDuration } from './duration.js';
import { CHECK_RULES } from './rules-checks.js';
import { didYouMean } from './suggest.js';
import type { Config, Host } from './types.js';

/** One cross-field check over the resolved config; returns its problems, never throws. */
export type Rule = (config: Config) => string[];

const hostRef = (name: string): string => `<host name="${name}">`;
const alertRef = (name: string): string => `<alert name="${name}">`;

const uniqueHostNames: Rule = (config) =>
  duplicates(config.hosts.map((host) => host.name)).map(
    ([name, count]) => `<hosts> host name "${name}" appears ${count} times (host names must be unique)`,
  );

const uniqueAlertNames: Rule = (config) =>
  duplicates(config.alerts.map((rule) => rule.name)).map(
    ([name, count]) => `<alerts> alert name "${name}" appears ${count} times (alert names must be unique)`,
  );

const proxyJumpTargets: Rule = (config) => {
  const byName = new Map(config.hosts.map((host) => [host.name, host]));
  const problems: string[] = [];
  for (const host of config.hosts) {
    const jump = host.proxyJump;
    if (jump === undefined) continue;
    const where = `${hostRef(host.name)} proxyJump="${jump}"`;
    const target = byName.get(jump);
    if (jump === host.name) problems.push(`${where}: a host cannot jump through itself`);
    else if (!target) problems.push(`${where}: unknown host (hosts: ${[...byName.keys()].join(', ')}${didYouMean(jump, byName.keys())})`);
    else if (target.transport === 'local') problems.push(`${where}: "${jump}" is a local host; a jump host must be reached over SSH`);
  }
  return problems;
};

const proxyJumpLoops: Rule = (config) => {
  const byName = new Map(config.hosts.map((host) => [host.name, host]));
  const order = new Map(config.hosts.map((host, index) => [host.name, index]));
  const problems: string[] = [];
  for (const host of config.hosts) {
    const chain = [host.name];
    let next = host.proxyJump === host.name ? undefined : byName.get(host.proxyJump ?? '');
    while (next && !chain.includes(next.name)) {
      chain.push(next.name);
      next = byName.get(next.proxyJump ?? '');
    }
    if (!next || next.name !== host.name) continue;
    // Report a loop once, from the member that comes first in the file.
    const first = chain.reduce((a, b) => ((order.get(a) ?? 0) <= (order.get(b) ?? 0) ? a : b));
    if (first === host.name) problems.push(`${hostRef(host.name)} proxyJump="${host.proxyJump ?? ''}": jump hosts form a loop (${[...chain, host.name].join(' -> ')})`);
  }
  return problems;
};

const passphraseNeedsKey: Rule = (config) =>
  config.hosts
    .filter((host: Host) => host.transport === 'ssh' && host.passphraseEnv !== undefined && host.identityFile === undefined)
    .map((host) => `${hostRef(host.name)} passphraseEnv="${host.passphraseEnv ?? ''}": set but no identityFile (ssh-agent keys need no passphrase here)`);

/** Problems with a `hosts`/`groups` scope (of a rule, a check, a log): names no host or group in the config. */
export function scopeProblems(where: string, scope: { readonly hosts: readonly string[]; readonly groups: readonly string[] }, config: Config): string[] {
  const hostNames = config.hosts.map((host) => host.name);
  const groupNames = [...config.groups.keys()];
  const problems: string[] = [];
  for (const name of scope.hosts.filter((h) => !hostNames.includes(h))) {
    problems.push(`${where} hosts="${scope.hosts.join(',')}": unknown host "${name}" (hosts: ${hostNames.join(', ')}${didYouMean(name, hostNames)})`);
  }
  for (const name of scope.groups.filter((g) => !config.groups.has(g))) {
    const known = groupNames.length === 0 ? 'no groups defined; give hosts groups="..."' : `groups: ${groupNames.join(', ')}${didYouMean(name, groupNames)}`;
    problems.push(`${where} groups="${scope.groups.join(',')}": unknown group "${name}" (${known})`);
  }
  return problems;
}

const alertScopes: Rule = (config) => config.alerts.flatMap((rule) => scopeProblems(alertRef(rule.name), rule, config));

/** Each tier of history is kept at least as long as the finer one before it: roll-ups stand in for what is removed. */
const retentionOrder: Rule = ({ settings }) => {
  const problems: string[] = [];
  if (settings.rollupRetentionMs < settings.retentionMs) {
    problems.push(`<settings> rollupRetention="${formatDuration(settings.rollupRetentionMs)}": shorter than retention="${formatDuration(settings.retentionMs)}" (5-minute roll-ups stand in for raw samples once those are removed, so they must be kept at least as long)`);
  }
  if (settings.hourlyRetentionMs < settings.rollupRetentionMs) {
    problems.push(`<settings> hourlyRetention="${formatDuration(settings.hourlyRetentionMs)}": shorter than rollupRetention="${formatDuration(settings.rollupRetentionMs)}" (hourly roll-ups stand in for 5-minute ones once those are removed)`);
  }
  return problems;
};

/** An alert averages raw samples: a window longer than they are kept would average less than it says. */
const windowsWithinRetention: Rule = ({ settings, alerts }) =>
  alerts
    .filter((rule) => rule.windowMs > settings.retentionMs)
    .map(
      (rule) =>
        `${alertRef(rule.name)} window="${formatDuration(rule.windowMs)}": longer than <settings retention="${formatDuration(settings.retentionMs)}"> (raw samples older than that are removed, so the average would cover only ${formatDuration(settings.retentionMs)})`,
    );

export const RULES: readonly Rule[] = [uniqueHostNames, uniqueAlertNames, proxyJumpTargets, proxyJumpLoops, passphraseNeedsKey, alertScopes, retentionOrder, windowsWithinRetention, ...CHECK_RULES];

export function checkRules(config: Config): string[] {
  return RULES.flatMap((rule) => rule(config));
}

function duplicates(names: readonly string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].filter(([, count]) => count > 1);
}
