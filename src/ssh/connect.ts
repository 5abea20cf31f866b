import type { Duplex } from 'node:stream';
import type { Host } from '../config/types.js';
import { fail, ok, type FailureReason, type Outcome } from '../result.js';
import { planAuth, type SshSecrets } from './auth.js';
import { dial, type DialFailureKind, type SshConnection } from './client.js';
import { openHostKeyGate } from './host-key-gate.js';
import type { KnownHostsCache } from './known-hosts-cache.js';

export interface ConnectOptions {
  /** Limit for TCP connect, SSH handshake and authentication together. */
  readonly connectTimeoutMs: number;
  readonly secrets: SshSecrets;
  /** Things worth logging that are not failures, e.g. a host key pinned under accept-new. */
  readonly notice: (host: Host, message: string) => void;
  /** known_hosts files as parsed in this run, shared by every host. */
  readonly knownHosts: KnownHostsCache;
  /** A stream through a jump host, and that host's name for messages. */
  readonly tunnel?: { readonly sock: Duplex; readonly via: string };
  /** Aborted when the pool closes: a dial still under way gives up at once. */
  readonly signal?: AbortSignal;
}

const REASONS: Readonly<Record<DialFailureKind, FailureReason>> = {
  unreachable: 'unreachable',
  timeout: 'connect-timeout',
  'host-key': 'host-key',
  auth: 'auth',
  lost: 'ssh',
};

/** Connects and authenticates to one host, its key checked against known_hosts. Never throws. */
export async function connectHost(host: Host, options: ConnectOptions): Promise<Outcome<SshConnection>> {
  const auth = await planAuth(host, options.secrets);
  if (!auth.ok) return auth;
  const gate = await openHostKeyGate(host, options.knownHosts, (message) => options.notice(host, message));
  if (!gate.ok) return gate;
  const dialed = await dial({
    address: host.address,
    port: host.port,
    username: host.user,
    ...(options.tunnel ? { sock: options.tunnel.sock } : {}),
    readyTimeoutMs: options.connectTimeoutMs,
    hostKeyAlgorithms: gate.value.algorithms,
    verifyHostKey: gate.value.verify,
    auth: auth.value.methods,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (dialed.ok) return ok(dialed.connection);
  const where = `${host.name} (${host.address}:${host.port}${options.tunnel ? ` via ${options.tunnel.via}` : ''})`;
  const messages: Readonly<Record<DialFailureKind, () => string>> = {
    unreachable: () => `cannot reach ${where}: ${dialed.detail}`,
    timeout: () => `no SSH handshake with ${where} within ${options.connectTimeoutMs} ms`,
    'host-key': () => gate.value.refusal() ?? `host key of ${where} refused: ${dialed.detail}`,
    auth: () => `auth refused for ${host.user}@${host.name}: tried ${auth.value.tried.join(', ')}`,
    lost: () => `SSH connection to ${where} failed: ${dialed.detail}`,
  };
  return fail(REASONS[dialed.kind], messages[dialed.kind]());
}
