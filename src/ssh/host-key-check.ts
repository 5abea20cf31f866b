import { knownHostsName } from './fingerprint.js';
import { entryMatches, type KnownHostEntry } from './known-hosts.js';

export type HostKeyStatus =
  | { readonly status: 'match'; readonly line: number }
  /** `caLines`: @cert-authority lines for the host, which metrix does not use for plain keys. */
  | { readonly status: 'unknown'; readonly caLines: readonly number[] }
  /** `line` holds a different key for the host; `keyType` is that line's type. */
  | { readonly status: 'changed'; readonly line: number; readonly keyType: string }
  | { readonly status: 'revoked'; readonly line: number };

/**
 * Checks an offered host key the way OpenSSH 9 does (hostfile.c, check_hostkeys_by_key_or_type):
 * a matching @revoked line wins; then any plain line with the same key is a match; then any
 * plain line for the host with another key — of ANY type — makes it "changed" (ssh prints
 * "REMOTE HOST IDENTIFICATION HAS CHANGED ... Offending ECDSA key" when an ed25519 key is
 * offered to a host known by ECDSA only). That is why connections first offer the key types
 * already known (see orderHostKeyAlgorithms), as ssh does.
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  keyType: string,
  keyBlob: Buffer,
): HostKeyStatus {
  const name = knownHostsName(host, port);
  const mine = entries.filter((entry) => entryMatches(entry, name));
  const revoked = mine.find((e) => e.marker === 'revoked' && e.key.equals(keyBlob));
  if (revoked) return { status: 'revoked', line: revoked.line };
  const plain = mine.filter((e) => e.marker === undefined);
  const same = plain.find((e) => e.keyType === keyType && e.key.equals(keyBlob));
  if (same) return { status: 'match', line: same.line };
  const other = plain.find((e) => e.keyType === keyType) ?? plain[0];
  if (other) return { status: 'changed', line: other.line, keyType: other.keyType };
  return { status: 'unknown', caLines: mine.filter((e) => e.marker === 'cert-authority').map((e) => e.line) };
}

/** Key types with a plain (unmarked) line for the host, in file order. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  const types = entries.filter((e) => e.marker === undefined && entryMatches(e, name)).map((e) => e.keyType);
  return [...new Set(types)];
}

/** Host key algorithms metrix offers, best first, as the SSH client library supports them. */
export const HOST_KEY_ALGORITHMS: readonly string[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

const ALGORITHMS_OF_KEY_TYPE: Readonly<Record<string, readonly string[]>> = {
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** Moves the algorithms for already known key types to the front, like ssh's order_hostkeyalgs. */
export function orderHostKeyAlgorithms(knownTypes: readonly string[]): string[] {
  const preferred = knownTypes.flatMap((type) => ALGORITHMS_OF_KEY_TYPE[type] ?? [type]);
  const first = HOST_KEY_ALGORITHMS.filter((alg) => preferred.includes(alg));
  return [...first, ...HOST_KEY_ALGORITHMS.filter((alg) => !first.includes(alg))];
}
