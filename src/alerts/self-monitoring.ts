import type { AlertRule, Host } from '../config/types.js';
import type { Sample } from '../../client-script/src/protocol.js';
import type { FailureReason } from '../result.js';

/**
 * metrix watches itself with the same machinery it watches hosts with: after each run it
 * stores a few samples for this pseudo-host (a name no configured host can have) and
 * evaluates built-in rules on them. So a broken poller key or mail server is one alert,
 * not one per host, and it fires, reminds and resolves like any other.
 */
export const POLLER_HOST = '(metrix)';

/** Poll failures that are metrix's own problem, not the host's: it answered, we could not use it. */
export const POLLER_SIDE: readonly FailureReason[] = ['keys', 'bad-output', 'too-many-samples', 'not-uploaded', 'node'];

export const pollerHost: Host = {
  name: POLLER_HOST,
  transport: 'local',
  address: 'localhost',
  port: 0,
  user: '',
  identityFile: undefined,
  passphraseEnv: undefined,
  knownHosts: '',
  hostKeyPolicy: 'strict',
  node: '',
  remoteDir: '',
  proxyJump: undefined,
  groups: [],
};

const builtIn = (name: string, metric: string, op: AlertRule['op'], value: number): AlertRule => ({
  name,
  metric,
  labels: {},
  op,
  value,
  windowMs: 0,
  forMs: 0,
  keepFiringForMs: 0,
  clear: undefined,
  repeatMs: 4 * 3_600_000,
  severity: 'critical',
  sendResolved: true,
  hosts: [POLLER_HOST],
  groups: [],
  to: undefined,
});

export const SELF_RULES: readonly AlertRule[] = [
  builtIn('metrix-mail', 'metrix_mail_ok', '==', 0),
  builtIn('metrix-poller', 'metrix_poll_failures', '>', 0),
];

/** Hosts this run failed for poller-side reasons, one series per reason (0 included, so alerts resolve). */
export function pollFailureSamples(failures: ReadonlyArray<{ readonly reason: FailureReason }>): Sample[] {
  return POLLER_SIDE.map((reason) => ({ m: 'metrix_poll_failures', v: failures.filter((f) => f.reason === reason).length, l: { reason } }));
}

export function mailOkSample(ok: boolean): Sample {
  return { m: 'metrix_mail_ok', v: ok ? 1 : 0 };
}
