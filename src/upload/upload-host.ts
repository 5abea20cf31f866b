import { HOST_KEY_FILE } from '../../client-script/src/protocol.js';
import type { Host } from '../config/types.js';
import { serializeHostKeyFile, type KeyStore } from '../crypto/key-store.js';
import { errorMessage } from '../errors.js';
import { fail, ok, type Outcome } from '../result.js';
import { COLLECTOR_FILE, type SshTransport } from '../ssh/ssh-transport.js';
import { MIN_NODE_MAJOR, nodeVersionProblem } from './node-version.js';

export interface UploadReport {
  readonly node: string;
  readonly uploaded: readonly string[];
  readonly skipped: readonly string[];
}

const COLLECTOR_MODE = 0o700;
const KEY_MODE = 0o600;

/**
 * Puts the collector and the host's key file in its remoteDir: checks Node first, then
 * makes the host's key pair if it has none, then uploads what differs.
 */
export async function uploadHost(host: Host, collector: Buffer, keys: KeyStore, ssh: SshTransport): Promise<Outcome<UploadReport>> {
  const version = await ssh.nodeVersion(host);
  if (!version.ok) {
    const { reason, message } = version.failure;
    if (reason !== 'collector-failed') return version;
    return fail('node', `Node not found or not working on ${host.name}: ${message}; install Node ${MIN_NODE_MAJOR} or newer there, or set node="/path/to/node" for this host`);
  }
  const problem = nodeVersionProblem(version.value, host.node);
  if (problem) return fail('node', problem);
  let keyFile: string;
  try {
    keyFile = serializeHostKeyFile(keys.ensureHostKeys(host.name).file);
  } catch (err) {
    return fail('keys', errorMessage(err));
  }
  const result = await ssh.upload(host, [
    { name: COLLECTOR_FILE, content: collector, mode: COLLECTOR_MODE },
    { name: HOST_KEY_FILE, content: Buffer.from(keyFile), mode: KEY_MODE },
  ]);
  return result.ok ? ok({ node: version.value, ...result.value }) : result;
}

export function describeUpload(report: UploadReport): string {
  return report.uploaded.length === 0
    ? `up to date (node ${report.node})`
    : `uploaded ${report.uploaded.join(', ')}${report.skipped.length ? ` (unchanged: ${report.skipped.join(', ')})` : ''} (node ${report.node})`;
}
