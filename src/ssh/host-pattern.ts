import { createHmac, randomBytes } from 'node:crypto';
import { hmacSha1Equals, prepareKey, prepareMessage, type HmacSha1Key, type PreparedMessage } from './hmac-sha1.js';

const HASH_MAGIC = '|1|';
const SHA1_LENGTH = 20;

/** A glob with `*` and `?` only, compared case-insensitively, as OpenSSH's match_pattern. */
export function matchPattern(name: string, pattern: string): boolean {
  const source = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(name.toLowerCase());
}

/**
 * OpenSSH's match_hostname: the name matches a comma list when some pattern matches and
 * no negated (`!pattern`) one does; a matching negation vetoes the whole line.
 */
export function matchHostList(name: string, patterns: readonly string[]): boolean {
  let positive = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (!matchPattern(name, pattern)) continue;
    if (negated) return false;
    positive = true;
  }
  return positive;
}

export interface HashedHost {
  readonly salt: Buffer;
  readonly hash: Buffer;
  /** The salt as an HMAC key, its pads hashed once when the line is parsed. */
  readonly key: HmacSha1Key;
}

/** Parses `|1|salt|hash`; undefined when the field is not a well-formed hashed host. */
export function parseHashedHost(field: string): HashedHost | undefined {
  if (!field.startsWith(HASH_MAGIC)) return undefined;
  const [salt64, hash64, ...rest] = field.slice(HASH_MAGIC.length).split('|');
  if (salt64 === undefined || hash64 === undefined || rest.length > 0) return undefined;
  const salt = Buffer.from(salt64, 'base64');
  const hash = Buffer.from(hash64, 'base64');
  if (salt.length !== SHA1_LENGTH || hash.length !== SHA1_LENGTH) return undefined;
  return { salt, hash, key: prepareKey(salt) };
}

// A run looks one name up against every hashed line in a row: the name is padded once.
let lastName: string | undefined;
let lastMessage: PreparedMessage = new Uint8Array();

/** HMAC-SHA1 of the host name keyed by the salt: how `ssh-keygen -H` hides names. */
export function matchHashedHost(name: string, hashed: HashedHost): boolean {
  if (name !== lastName) {
    lastMessage = prepareMessage(Buffer.from(name.toLowerCase()));
    lastName = name;
  }
  return hmacSha1Equals(hashed.key, lastMessage, hashed.hash);
}

/** `|1|salt|hash` for a name, with a fresh salt unless one is given. */
export function hashHostName(name: string, salt: Buffer = randomBytes(SHA1_LENGTH)): string {
  const hash = createHmac('sha1', salt).update(name.toLowerCase()).digest();
  return `${HASH_MAGIC}${salt.toString('base64')}|${hash.toString('base64')}`;
}
