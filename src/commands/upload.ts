import { readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import { loadConfig } from '../config/load.js';
import { KeyStore } from '../crypto/key-store.js';
import { logLine, type Io } from '../cli/io.js';
import { Progress } from '../cli/progress.js';
import { selectHosts } from '../cli/select-hosts.js';
import { collectorBundlePath } from '../poll/collector-bundle.js';
import { summarizeHosts, type HostOutcome } from '../poll/summary.js';
import { describeUpload, uploadHost } from '../upload/upload-host.js';
import { openTransports } from './transports.js';

export interface UploadOptions {
  readonly config: string;
  readonly host: readonly string[];
  readonly group: readonly string[];
}

/** `metrix upload`: the collector and each host's key file, over SFTP, through the pool. Exit 0 all ok, 1 some failed. */
export async function upload(options: UploadOptions, io: Io): Promise<number> {
  const config = loadConfig(options.config);
  const hosts = selectHosts(config, options.host, options.group);
  const { store: keys, created } = KeyStore.open(config.settings.keysDir);
  if (created) logLine(io, 'INFO', `created keys directory ${config.settings.keysDir} with a new poller key pair`);
  const collector = readFileSync(collectorBundlePath());
  const transports = openTransports(config, keys, io);
  const progress = new Progress(io, hosts.length);
  const limit = pLimit(config.settings.concurrency);
  const started = io.clock();
  try {
    const outcomes = await Promise.all(
      hosts.map((host) =>
        limit(async (): Promise<HostOutcome> => {
          if (host.transport === 'local') {
            progress.host({ host: host.name, level: 'INFO', message: 'local host: nothing to upload, the collector runs from this installation' });
            return { host: host.name, failure: undefined };
          }
          const result = await uploadHost(host, collector, keys, transports.ssh);
          // Done with this host: its connection goes now, not at the end, so a large fleet never
          // holds one socket per host (ulimit -n).
          await transports.ssh.release(host);
          const message = result.ok ? describeUpload(result.value) : `${result.failure.reason}: ${result.failure.message}`;
          progress.host({ host: host.name, level: result.ok ? 'INFO' : 'ERROR', message });
          return { host: host.name, failure: result.ok ? undefined : result.failure };
        }),
      ),
    );
    progress.finish();
    io.out(summarizeHosts('uploaded to', outcomes, io.clock() - started));
    return outcomes.some((outcome) => outcome.failure) ? 1 : 0;
  } finally {
    progress.finish();
    await transports.close();
  }
}
