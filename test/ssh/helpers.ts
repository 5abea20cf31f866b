import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Host } from '../../src/config/types.js';
import type { SshSecrets } from '../../src/ssh/auth.js';
import { hostsByName, SshTransport } from '../../src/ssh/ssh-transport.js';
import { collectorFile, type FakeCollector } from '../farm/collectors.js';

/** Short limits: these tests run against sshd on 127.0.0.1. */
export const CONNECT_TIMEOUT_MS = 1500;
export const COMMAND_TIMEOUT_MS = 2000;
export const LIMITS = { timeoutMs: COMMAND_TIMEOUT_MS, maxOutputBytes: 1024 * 1024 };

export const noSecrets: SshSecrets = { passphrase: () => undefined, agentSocket: undefined };

export interface TestTransport {
  readonly transport: SshTransport;
  readonly notices: string[];
}

export function makeTransport(hosts: readonly Host[], secrets: SshSecrets = noSecrets, connectTimeoutMs = CONNECT_TIMEOUT_MS): TestTransport {
  const notices: string[] = [];
  const transport = new SshTransport({
    connectTimeoutMs,
    secrets,
    resolveHost: hostsByName(hosts),
    operationTimeoutMs: 10_000,
    notice: (host, message) => notices.push(`[${host.name}] ${message}`),
  });
  return { transport, notices };
}

/** Uploads a fake collector to the host through the SFTP helper under test; throws if that fails. */
export async function placeCollector(transport: SshTransport, host: Host, kind: FakeCollector): Promise<void> {
  const outcome = await transport.upload(host, [collectorFile(kind)]);
  if (!outcome.ok) throw new Error(`upload to ${host.name}: ${outcome.failure.message}`);
}

/** Kills a "hang" collector left behind by a test (sshd does not signal root sessions). */
export function reapHungCollector(host: Host): void {
  try {
    process.kill(Number(readFileSync(join(host.remoteDir, 'started'), 'utf8')), 'SIGKILL');
  } catch {
    // Never started, or already gone.
  }
}
