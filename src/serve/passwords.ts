import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password and token hashing for `metrix serve` accounts. Passwords: scrypt (memory-hard, in
 * node:crypto) with a per-user random salt, stored as `scrypt$N$r$p$salt$hash` (base64url) so
 * the cost can be raised later without breaking stored hashes. Tokens: 32 random bytes shown
 * once; only their SHA-256 is stored (a token has full entropy, so a slow hash adds nothing).
 */

/** N = 2^15, r = 8: 32 MiB and some tens of ms per check, the cost OWASP suggests for scrypt. */
export const SCRYPT_COST = { N: 32_768, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
/** Longest password accepted: scrypt's input is hashed anyway, this only bounds the work of a hostile request. */
export const MAX_PASSWORD_LENGTH = 1024;
export const MIN_PASSWORD_LENGTH = 8;
export const TOKEN_PREFIX = 'mtx_';

const b64 = (bytes: Buffer): string => bytes.toString('base64url');

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string, cost: { N: number; r: number; p: number } = SCRYPT_COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${b64(salt)}$${b64(key)}`;
}

const STORED = /^scrypt\$(\d{1,7})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]{1,64})\$([A-Za-z0-9_-]{1,128})$/;

/** True when `password` matches `stored`; a malformed stored hash matches nothing. Compared in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = STORED.exec(stored);
  if (!match || password.length > MAX_PASSWORD_LENGTH) return false;
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const expected = Buffer.from(match[5]!, 'base64url');
  const key = await derive(password, Buffer.from(match[4]!, 'base64url'), { N, r, p });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash no password matches, checked against when the user does not exist, so timing does not tell names apart. */
export const DUMMY_HASH = `scrypt$${SCRYPT_COST.N}$${SCRYPT_COST.r}$${SCRYPT_COST.p}$${'A'.repeat(22)}$${'A'.repeat(43)}`;

export function newToken(): string {
  return `${TOKEN_PREFIX}${b64(randomBytes(32))}`;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
