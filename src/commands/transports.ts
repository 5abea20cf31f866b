import type { Config, Host, Transport as TransportKind } from '../config/types.js';
import type { KeyStore } from '../crypto/key-store.js';
import { logLine, type Io } from '../cli/io.js';
import { collectorBundlePath } from '../poll/collector-bundle.js';
import { LocalTransport } from '../poll/local-transport.js';
import type { Transport } from '../poll/transport.js';
import { secretsFrom } from '../ssh/auth.js';
import { hostsByName, SshTransport } from '../ssh/ssh-transport.js';

export interface Transports {
  readonly local: LocalTransport;
  readonly ssh: SshTransport;
  readonly of: (kind: TransportKind) => Transport;
  readonly close: () => Promise<void>;
}

/** The transports of one run: a child process for local hosts, pooled SSH for the rest. */
export function openTransports(config: Config, keys: KeyStore, io: Io, resolveHost: (name: string) => Host | undefined = hostsByName(config.hosts)): Transports {
  const local = new LocalTransport(collectorBundlePath(), (host) => keys.hostKeyPath(host));
  const ssh = new SshTransport({
    connectTimeoutMs: config.settings.connectTimeoutMs,
    secrets: secretsFrom(io.env),
    resolveHost,
    notice: (host, message) => logLine(io, 'INFO', message, host.name),
  });
  return {
    local,
    ssh,
    of: (kind) => (kind === 'local' ? local : ssh),
    close: async () => {
      await Promise.all([local.close(), ssh.close()]);
    },
  };
}
