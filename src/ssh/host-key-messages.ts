import { fingerprintOf, keyTypeOf, knownHostsLine, knownHostsName } from './fingerprint.js';
import type { HostKeyStatus } from './host-key-check.js';
import { shellQuote } from './shell-quote.js';

export interface OfferedKey {
  /** Host name in the config, e.g. "f4". */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly blob: Buffer;
  /** Absolute path of the known_hosts file checked. */
  readonly file: string;
}

type Refusal = Exclude<HostKeyStatus, { status: 'match' }>;

/** What a sysadmin reads when a host key is refused: the fingerprint, the line, and the fix. */
export function describeRefusal(key: OfferedKey, verdict: Refusal, fileExists: boolean): string {
  const where = knownHostsName(key.address, key.port);
  const who = key.name === where ? where : `${key.name} (${where})`;
  const offered = `${fingerprintOf(key.blob)} (${keyTypeOf(key.blob) ?? 'unknown type'})`;
  switch (verdict.status) {
    case 'changed':
      return (
        `host key changed for ${who}: offered ${offered}; ${key.file} line ${verdict.line} has a different key ` +
        `(${verdict.keyType}). If the change is expected, remove it with: ` +
        `ssh-keygen -R ${shellQuote(where)} -f ${shellQuote(key.file)}`
      );
    case 'revoked':
      return (
        `host key for ${who} is revoked: ${offered} is marked @revoked at ${key.file} line ${verdict.line}; ` +
        `refused whatever hostKeyPolicy says`
      );
    case 'unknown': {
      const missing = fileExists ? '' : ` (${key.file} does not exist yet)`;
      const ca = verdict.caLines.length
        ? `. Note: @cert-authority lines ${verdict.caLines.join(', ')} name this host, but metrix does not ` +
          `check host certificates, so its plain key must be listed`
        : '';
      return (
        `unknown host key for ${who}: ${offered}${missing}. To trust it, add this line to ${key.file}: ` +
        `${knownHostsLine(key.address, key.port, key.blob)} ` +
        `(or set hostKeyPolicy="accept-new" to pin it on first contact)${ca}`
      );
    }
  }
}
