/**
 * Snappy block compression (the raw format, not the framing one), as remote write requires.
 * Our own rather than a package: the npm choices are a native binding (prebuilt binaries per
 * platform, for a few hundred kilobytes a run) or a pure-JS port unmaintained since 2019; the
 * format is small and fixed, and the receiver (Go's snappy in Prometheus) is the judge, which
 * the tests put it before. The compressor follows the reference's scheme: 64 KiB blocks, a
 * hash table of 4-byte sequences, literals for what does not repeat, copies for what does.
 * The decompressor serves the tests and the benchmark.
 */

const BLOCK = 1 << 16;
const MAX_HASH_BITS = 14;
const MIN_MATCH = 4;
/** Bytes at the end of a block never searched for matches (reading 4 bytes past a position). */
const INPUT_MARGIN = 15;

/** Compresses `input` into one snappy block. */
export function snappyCompress(input: Uint8Array): Buffer {
  // Worst case: every byte a literal, plus literal tags and the length preamble.
  const out = Buffer.allocUnsafe(32 + input.length + Math.ceil(input.length / 6));
  let at = writeUvarint(out, 0, input.length);
  const table = new Int32Array(1 << MAX_HASH_BITS);
  for (let start = 0; start < input.length; start += BLOCK) {
    at = compressBlock(input, start, Math.min(start + BLOCK, input.length), out, at, table);
  }
  return out.subarray(0, at);
}

function compressBlock(src: Uint8Array, start: number, end: number, out: Buffer, offset: number, table: Int32Array): number {
  let at = offset;
  if (end - start < INPUT_MARGIN) return emitLiteral(src, start, end, out, at);
  let bits = 8;
  while (bits < MAX_HASH_BITS && 1 << bits < end - start) bits++;
  const shift = 32 - bits;
  table.fill(-1, 0, 1 << bits);
  const hash = (i: number): number => Math.imul(load32(src, i), 0x1e35a7bd) >>> shift;
  const limit = end - INPUT_MARGIN;
  let literalFrom = start;
  let i = start + 1;
  let misses = 32;
  while (i < limit) {
    const h = hash(i);
    const candidate = table[h]!;
    table[h] = i;
    if (candidate < start || load32(src, candidate) !== load32(src, i)) {
      // Skip faster through data that does not compress (as the reference does).
      i += misses++ >> 5;
      continue;
    }
    misses = 32;
    at = emitLiteral(src, literalFrom, i, out, at);
    let length = MIN_MATCH;
    while (i + length < end && src[candidate + length] === src[i + length]) length++;
    at = emitCopy(i - candidate, length, out, at);
    i += length;
    literalFrom = i;
    if (i < limit) table[hash(i - 1)] = i - 1;
  }
  return emitLiteral(src, literalFrom, end, out, at);
}

function emitLiteral(src: Uint8Array, from: number, to: number, out: Buffer, offset: number): number {
  const length = to - from;
  if (length === 0) return offset;
  let at = offset;
  const n = length - 1;
  if (n < 60) {
    out[at++] = n << 2;
  } else {
    const bytes = n < 1 << 8 ? 1 : n < 1 << 16 ? 2 : n < 1 << 24 ? 3 : 4;
    out[at++] = (59 + bytes) << 2;
    for (let k = 0; k < bytes; k++) out[at++] = (n >>> (8 * k)) & 0xff;
  }
  out.set(src.subarray(from, to), at);
  return at + length;
}

/** A copy of `length` bytes from `distance` back: in pieces of at most 64, none shorter than 4. */
function emitCopy(distance: number, length: number, out: Buffer, offset: number): number {
  let at = offset;
  let rest = length;
  while (rest >= 68) {
    at = copy2(distance, 64, out, at);
    rest -= 64;
  }
  if (rest > 64) {
    at = copy2(distance, 60, out, at);
    rest -= 60;
  }
  if (rest < 12 && distance < 2048) {
    out[at++] = ((distance >>> 8) << 5) | ((rest - 4) << 2) | 1;
    out[at++] = distance & 0xff;
    return at;
  }
  return copy2(distance, rest, out, at);
}

function copy2(distance: number, length: number, out: Buffer, at: number): number {
  out[at] = ((length - 1) << 2) | 2;
  out[at + 1] = distance & 0xff;
  out[at + 2] = distance >>> 8;
  return at + 3;
}

const load32 = (src: Uint8Array, i: number): number => src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24);

function writeUvarint(out: Buffer, offset: number, value: number): number {
  let at = offset;
  let rest = value;
  while (rest >= 0x80) {
    out[at++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  out[at++] = rest;
  return at;
}

/** Decompresses one snappy block; throws on anything malformed (a receiver must not trust it). */
export function snappyDecompress(input: Uint8Array): Buffer {
  let at = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (at >= input.length || shift > 28) throw new Error('snappy: bad length preamble');
    const byte = input[at++]!;
    length += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  const out = Buffer.allocUnsafe(length);
  let written = 0;
  while (at < input.length) {
    const tag = input[at++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >>> 2;
      if (n >= 60) {
        const bytes = n - 59;
        n = 0;
        for (let k = 0; k < bytes; k++) n += input[at++]! * 2 ** (8 * k);
      }
      n += 1;
      if (at + n > input.length || written + n > length) throw new Error('snappy: literal past the end');
      out.set(input.subarray(at, at + n), written);
      at += n;
      written += n;
      continue;
    }
    let n: number;
    let distance: number;
    if (kind === 1) {
      n = ((tag >>> 2) & 7) + 4;
      distance = ((tag >>> 5) << 8) | input[at++]!;
    } else if (kind === 2) {
      n = (tag >>> 2) + 1;
      distance = input[at]! | (input[at + 1]! << 8);
      at += 2;
    } else {
      n = (tag >>> 2) + 1;
      distance = (input[at]! | (input[at + 1]! << 8) | (input[at + 2]! << 16) | (input[at + 3]! << 24)) >>> 0;
      at += 4;
    }
    if (at > input.length || distance === 0 || distance > written || written + n > length) throw new Error('snappy: bad copy');
    for (let k = 0; k < n; k++) out[written + k] = out[written - distance + k]!;
    written += n;
  }
  if (written !== length) throw new Error(`snappy: ${written} bytes, the preamble says ${length}`);
  return out;
}
