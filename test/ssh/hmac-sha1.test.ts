import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacSha1Equals, prepareKey, prepareMessage } from '../../src/ssh/hmac-sha1.js';
import { hashHostName, matchHashedHost, parseHashedHost } from '../../src/ssh/host-pattern.js';

const reference = (key: Buffer, message: Buffer): Buffer => createHmac('sha1', key).update(message).digest();

describe('hmacSha1Equals agrees with node:crypto', () => {
  // Message lengths around SHA-1's block edges (55/56 bytes: where the length field spills
  // into a second block), keys from empty to a full block.
  it.each([0, 1, 13, 55, 56, 63, 64, 65, 119, 120, 255])('message of %i bytes', (length) => {
    for (const keyLength of [0, 1, 20, 63, 64]) {
      const key = randomBytes(keyLength);
      const message = randomBytes(length);
      const right = reference(key, message);
      expect(hmacSha1Equals(prepareKey(key), prepareMessage(message), right)).toBe(true);
      const wrong = Buffer.from(right);
      wrong[19]! ^= 1;
      expect(hmacSha1Equals(prepareKey(key), prepareMessage(message), wrong)).toBe(false);
      expect(hmacSha1Equals(prepareKey(key), prepareMessage(message), right.subarray(0, 19))).toBe(false);
    }
  });

  it('matches hashed known_hosts names as ssh-keygen -H writes them, case-insensitively', () => {
    const cases = ['f4', '[10.0.0.4]:2222', 'node-0042.cluster.example.org', 'x'.repeat(200), 'ÉTÉ.example'];
    for (const name of cases) {
      const hashed = parseHashedHost(hashHostName(name))!;
      expect([matchHashedHost(name, hashed), matchHashedHost(name.toUpperCase(), hashed), matchHashedHost(`${name}.`, hashed)]).toEqual([
        true,
        name.toUpperCase().toLowerCase() === name.toLowerCase(),
        false,
      ]);
    }
  });
});
