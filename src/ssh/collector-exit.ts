import type { Host } from '../config/types.js';
import { fail, type Outcome } from '../result.js';
import type { CommandResult } from './remote-command.js';

const SHELL_NOT_FOUND = 127;

/** Turns a collector's non-zero exit into the failure a sysadmin can act on. */
export function describeExit(host: Host, collectorPath: string, result: CommandResult): Outcome<never> {
  const stderr = result.stderr.trim();
  if (stderr.includes('Cannot find module') && stderr.includes(collectorPath)) {
    return fail('not-uploaded', `no collector at ${collectorPath} on ${host.name}: run metrix upload -h ${host.name}`);
  }
  const status = result.signal
    ? `was killed by ${result.signal.startsWith('SIG') ? result.signal : `SIG${result.signal}`}`
    : `exited with status ${result.exitCode ?? 'unknown'}`;
  const hint = result.exitCode === SHELL_NOT_FOUND ? ` (is "${host.node}" the node binary on ${host.name}? set node="/path/to/node")` : '';
  return fail('collector-failed', `collector on ${host.name} ${status}${hint}${stderr ? `: ${stderr}` : ''}`);
}
