import { encodeSpec, SPEC_VERSION, type WatchSpec } from '../../client-script/src/checks-spec.js';
import type { Config, Host, HostSelection } from '../config/types.js';

/** Whether a check or log applies to a host: named, or in a named group; every host when it names none. */
export function selects(selection: HostSelection, host: Host): boolean {
  if (selection.hosts.length === 0 && selection.groups.length === 0) return true;
  return selection.hosts.includes(host.name) || selection.groups.some((group) => host.groups.includes(group));
}

/** The checks and logs the host's collector runs, or undefined when it has none (no --spec is sent). */
export function specForHost(config: Pick<Config, 'checks' | 'logs'>, host: Host): WatchSpec | undefined {
  const checks = config.checks.filter((check) => selects(check, host)).map(({ name, command, everyMs, timeoutMs }) => ({ name, command, everyMs, timeoutMs }));
  const logs = config.logs.filter((log) => selects(log, host)).map(({ name, path, match, ignoreCase }) => ({ name, path, match, ignoreCase }));
  return checks.length === 0 && logs.length === 0 ? undefined : { v: SPEC_VERSION, checks, logs };
}

/** The collector arguments that carry the host's spec: none without checks or logs, so older collectors keep working. */
export function specArgs(spec: WatchSpec | undefined): string[] {
  return spec === undefined ? [] : ['--spec', encodeSpec(spec)];
}

/**
 * A one-shot collector's arguments with the spec moved to its stdin (`--spec -`): check
 * command lines on the host's command line would be readable by every user there in `ps`.
 * The resident collector gets its spec in the request line on stdin already (warm-transport).
 */
export function specOnStdin(args: readonly string[]): { args: string[]; stdin: string | undefined } {
  const at = args.indexOf('--spec');
  const spec = at < 0 ? undefined : args[at + 1];
  if (spec === undefined || spec === '-') return { args: [...args], stdin: undefined };
  return { args: [...args.slice(0, at), '--spec', '-', ...args.slice(at + 2)], stdin: `${spec}\n` };
}
