import { deadlineMargin, encodeSpec, SPEC_LIMITS } from '../../client-script/src/checks-spec.js';
import { specForHost } from '../checks/spec-for-host.js';
import { formatDuration } from './duration.js';
import { scopeProblems, type Rule } from './rules.js';
import type { Config, HostSelection } from './types.js';

// Cross-field rules of <checks> and <logs>: names unique, scopes known, timeouts inside the
// poll's deadline, and what one host is sent within the collector's bounds.

type Named = HostSelection & { readonly name: string };

function uniqueNames(kind: 'check' | 'log', items: readonly Named[]): string[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.name, (counts.get(item.name) ?? 0) + 1);
  return [...counts].filter(([, count]) => count > 1).map(([name, count]) => `<${kind}s> ${kind} name "${name}" appears ${count} times (${kind} names must be unique)`);
}

function scopes(kind: 'check' | 'log', items: readonly Named[], config: Config): string[] {
  return items.flatMap((item) => scopeProblems(`<${kind} name="${item.name}">`, item, config));
}

const names: Rule = (config) => [...uniqueNames('check', config.checks), ...uniqueNames('log', config.logs)];

const known: Rule = (config) => [...scopes('check', config.checks, config), ...scopes('log', config.logs, config)];

/** A check must end before the poll's own deadline, less what the poll keeps for itself. */
const timeouts: Rule = ({ checks, settings }) => {
  const room = settings.commandTimeoutMs - deadlineMargin(settings.commandTimeoutMs);
  return checks
    .filter((check) => check.timeoutMs > room)
    .map(
      (check) =>
        `<check name="${check.name}"> timeout="${formatDuration(check.timeoutMs)}": must be at most ${formatDuration(room)}, inside <settings commandTimeout="${formatDuration(settings.commandTimeoutMs)}"> less ${formatDuration(deadlineMargin(settings.commandTimeoutMs))} the poll keeps to answer`,
    );
};

/** What one host is sent stays within the collector's own bounds (checks-spec.ts). */
const perHost: Rule = (config) => {
  const problems: string[] = [];
  for (const host of config.hosts) {
    const spec = specForHost(config, host);
    if (spec === undefined) continue;
    if (spec.checks.length > SPEC_LIMITS.checks) problems.push(`<host name="${host.name}">: ${spec.checks.length} checks apply, over ${SPEC_LIMITS.checks}`);
    if (spec.logs.length > SPEC_LIMITS.logs) problems.push(`<host name="${host.name}">: ${spec.logs.length} logs apply, over ${SPEC_LIMITS.logs}`);
    const size = encodeSpec(spec).length;
    if (size > SPEC_LIMITS.encodedBytes) problems.push(`<host name="${host.name}">: its checks and logs take ${size} bytes to send, over ${SPEC_LIMITS.encodedBytes}`);
  }
  return problems;
};

export const CHECK_RULES: readonly Rule[] = [names, known, timeouts, perHost];
