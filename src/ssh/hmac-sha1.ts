/**
 * HMAC-SHA1 for matching hashed known_hosts lines, split so that work shared by many
 * lookups is done once: each line's key pads are hashed into SHA-1 states when the file
 * is parsed, and a host name is padded once for all the lines it is checked against.
 * Then one check costs two SHA-1 blocks and no allocation (node:crypto's createHmac
 * redoes the pads and allocates for every line and every host). Same result as
 * createHmac('sha1', key).update(message).digest(); see hmac-sha1.test.ts.
 */

const BLOCK = 64;
const DIGEST = 20;
const INITIAL = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0);
const words = new Int32Array(80);

const wordAt = (bytes: Uint8Array, o: number): number => (bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!;

/** SHA-1's compression function: folds one 64-byte block at `offset` into `state`. */
function compress(state: Int32Array, block: Uint8Array, offset: number): void {
  for (let t = 0; t < 16; t++) {
    words[t] = wordAt(block, offset + 4 * t);
  }
  for (let t = 16; t < 80; t++) {
    const x = words[t - 3]! ^ words[t - 8]! ^ words[t - 14]! ^ words[t - 16]!;
    words[t] = (x << 1) | (x >>> 31);
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  // Four loops rather than one with branches: this runs 3,000 times per host lookup.
  for (let t = 0; t < 20; t++) {
    const next = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + words[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = next;
  }
  for (let t = 20; t < 40; t++) {
    const next = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + words[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = next;
  }
  for (let t = 40; t < 60; t++) {
    const next = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + words[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = next;
  }
  for (let t = 60; t < 80; t++) {
    const next = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + words[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = next;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
}

/** `data` with SHA-1 padding, for a message whose first `before` bytes were already hashed. */
function pad(data: Uint8Array, before: number): Uint8Array {
  const padded = new Uint8Array(Math.ceil((data.length + 9) / BLOCK) * BLOCK);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  const bits = (before + data.length) * 8;
  view.setUint32(padded.length - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(padded.length - 4, bits >>> 0);
  return padded;
}

/** An HMAC-SHA1 key (at most 64 bytes, as a known_hosts salt is) with its pads already hashed. */
export interface HmacSha1Key {
  readonly inner: Int32Array;
  readonly outer: Int32Array;
}

export function prepareKey(key: Uint8Array): HmacSha1Key {
  if (key.length > BLOCK) throw new RangeError('HMAC key longer than one SHA-1 block');
  const padWith = (byte: number): Int32Array => {
    const block = new Uint8Array(BLOCK).fill(byte);
    key.forEach((value, i) => (block[i] = value ^ byte));
    const state = INITIAL.slice();
    compress(state, block, 0);
    return state;
  };
  return { inner: padWith(0x36), outer: padWith(0x5c) };
}

/** A message padded once, to be authenticated under many keys. */
export type PreparedMessage = Uint8Array;

export const prepareMessage = (message: Uint8Array): PreparedMessage => pad(message, BLOCK);

const outerBlock = pad(new Uint8Array(DIGEST), BLOCK);
const outerView = new DataView(outerBlock.buffer);
const state = new Int32Array(5);

/** Whether HMAC-SHA1(key, message) equals `expected` (20 bytes). */
export function hmacSha1Equals(key: HmacSha1Key, message: PreparedMessage, expected: Uint8Array): boolean {
  if (expected.length !== DIGEST) return false;
  state.set(key.inner);
  for (let offset = 0; offset < message.length; offset += BLOCK) compress(state, message, offset);
  for (let i = 0; i < 5; i++) outerView.setInt32(4 * i, state[i]!);
  state.set(key.outer);
  compress(state, outerBlock, 0);
  for (let i = 0; i < 5; i++) if (wordAt(expected, 4 * i) !== state[i]) return false;
  return true;
}
