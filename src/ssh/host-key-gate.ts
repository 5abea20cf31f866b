import type { Host } from '../config/types.js';
import { errorMessage } from '../errors.js';
import { fail, ok, type Outcome } from '../result.js';
import { fingerprintOf, keyTypeOf, knownHostsLine, knownHostsName } from './fingerprint.js';
import { checkHostKey, knownKeyTypes, orderHostKeyAlgorithms, type HostKeyStatus } from './host-key-check.js';
import { describeRefusal, type OfferedKey } from './host-key-messages.js';
import type { KnownHostsCache, KnownHostsView } from './known-hosts-cache.js';
import { appendKnownHostsLine } from './known-hosts-file.js';

/** Decides on the key a host offers during the handshake, for one connection. */
export interface HostKeyGate {
  /** Host key algorithms to offer, the types already known for this host first. */
  readonly algorithms: readonly string[];
  /** True to accept the key; never throws. Under accept-new, pins an unknown key. */
  verify(blob: Buffer): Promise<boolean>;
  /** Why the key was refused, once verify returned false. */
  refusal(): string | undefined;
}

/**
 * Looks the host up in its known_hosts (parsed once per run, see KnownHostsCache) before
 * connecting. Accept-new pins an unknown key by appending a plain `[address]:port type key`
 * line (not hashed: readable, and exactly the line the strict-mode message tells users to
 * add; `ssh-keygen -H` hashes it later).
 */
export async function openHostKeyGate(host: Host, knownHosts: KnownHostsCache, notice: (message: string) => void): Promise<Outcome<HostKeyGate>> {
  const file = host.knownHosts;
  const name = knownHostsName(host.address, host.port);
  let known: KnownHostsView;
  try {
    known = await knownHosts.load(file);
  } catch (err) {
    return fail('host-key', `cannot read known_hosts file ${file} for ${host.name}: ${errorMessage(err)}`);
  }
  let refusal: string | undefined;
  const refuse = (message: string): boolean => {
    refusal = message;
    return false;
  };
  // Only this host's lines from here on: checkHostKey and knownKeyTypes then match few lines.
  const check = (view: KnownHostsView, keyType: string, blob: Buffer): HostKeyStatus =>
    checkHostKey(view.entriesFor(name), host.address, host.port, keyType, blob);
  const verify = async (blob: Buffer): Promise<boolean> => {
    const keyType = keyTypeOf(blob);
    if (keyType === undefined) return refuse(`${host.name} offered a malformed host key`);
    const offered = { name: host.name, address: host.address, port: host.port, blob, file };
    const verdict = check(known, keyType, blob);
    if (verdict.status === 'match') return true;
    if (verdict.status !== 'unknown' || host.hostKeyPolicy !== 'accept-new') {
      return refuse(describeRefusal(offered, verdict, known.exists));
    }
    return pin(blob, keyType, offered);
  };
  const pin = async (blob: Buffer, keyType: string, offered: OfferedKey): Promise<boolean> => {
    const line = knownHostsLine(host.address, host.port, blob);
    const latest: { verdict: HostKeyStatus } = { verdict: { status: 'unknown', caLines: [] } };
    const stillUnknown = async (): Promise<boolean> => {
      known = await knownHosts.refresh(file);
      latest.verdict = check(known, keyType, blob);
      return latest.verdict.status === 'unknown';
    };
    try {
      if (!(await appendKnownHostsLine(file, line, stillUnknown, (added) => knownHosts.appended(file, added)))) {
        // Someone pinned a key for this host meanwhile: that line decides.
        return latest.verdict.status === 'match' || refuse(describeRefusal(offered, latest.verdict, true));
      }
    } catch (err) {
      return refuse(`cannot pin the host key of ${host.name} (${fingerprintOf(blob)}) in ${file}: ${errorMessage(err)}`);
    }
    notice(`pinned new host key ${fingerprintOf(blob)} (${keyType}) in ${file} (hostKeyPolicy="accept-new")`);
    return true;
  };
  const algorithms = orderHostKeyAlgorithms(knownKeyTypes(known.entriesFor(name), host.address, host.port));
  return ok({ algorithms, verify, refusal: () => refusal });
}
