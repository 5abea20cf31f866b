/**
 * How a list of numbers (one poll's values, or a roll-up bucket's) is packed into a blob.
 * Pure. The first byte names the format, so rows of either format can sit side by side:
 *
 *   fixed   [0] then 8 bytes per value (IEEE double, little-endian): value k at 1 + 8k.
 *   packed  [1] [n, one byte or a varint] [n tag bytes] [payload]. A tag's high nibble is a
 *           decimal scale s (0..6) and its low nibble a length L (0..7): the value is a zigzag
 *           integer of L bytes (little-endian) divided by 10^s, so 41.73 is 4173 / 10^2 in
 *           3 bytes and 0 is the tag alone. s = 15 marks a plain double (L = 8), for values
 *           no short decimal gives back exactly. Value k sits after the lengths of the k before it.
 *
 * Every value comes back bit for bit (a decimal is used only when it divides back exactly).
 */
export type Codec = 'fixed' | 'packed';

/** The format new rows are written in (both are read). */
export const SAMPLE_CODEC: Codec = 'packed';

const FIXED = 0;
const PACKED = 1;
const RAW = 15;
const MAX_SCALE = 6;
const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000];
/** Largest |integer| a decimal may carry: its zigzag form stays below 2^53, exact in a double. */
const MAX_MANTISSA = 2 ** 51;

/** The decimal scale that gives `v` back exactly from an integer, or undefined. */
export function decimalScale(v: number): number | undefined {
  if (!Number.isFinite(v) || Object.is(v, -0)) return undefined;
  for (let s = 0; s <= MAX_SCALE; s++) {
    const m = Math.round(v * POW10[s]!);
    if (Math.abs(m) > MAX_MANTISSA) return undefined;
    if (m / POW10[s]! === v) return s;
  }
  return undefined;
}

export function encodeValues(values: ArrayLike<number>, codec: Codec): Buffer {
  return codec === 'fixed' ? encodeFixed(values) : encodePacked(values);
}

function encodeFixed(values: ArrayLike<number>): Buffer {
  const out = Buffer.allocUnsafe(1 + 8 * values.length);
  out[0] = FIXED;
  for (let i = 0; i < values.length; i++) out.writeDoubleLE(values[i]!, 1 + 8 * i);
  return out;
}

function encodePacked(values: ArrayLike<number>): Buffer {
  const n = values.length;
  const head = n < 128 ? 1 : n < 16_384 ? 2 : 3;
  if (n >= 2_097_152) throw new RangeError(`too many values in one row: ${n}`);
  // At most 9 bytes per value; trimmed at the end.
  const out = Buffer.allocUnsafe(1 + head + n + 8 * n);
  out[0] = PACKED;
  writeVarint(out, 1, n);
  const tags = 1 + head;
  let at = tags + n;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const s = decimalScale(v);
    if (s === undefined) {
      out[tags + i] = (RAW << 4) | 8;
      out.writeDoubleLE(v, at);
      at += 8;
      continue;
    }
    const m = Math.round(v * POW10[s]!);
    let zz = m >= 0 ? 2 * m : -2 * m - 1;
    let length = 0;
    while (zz > 0) {
      out[at + length] = zz % 256;
      zz = Math.floor(zz / 256);
      length++;
    }
    out[tags + i] = (s << 4) | length;
    at += length;
  }
  return out.subarray(0, at);
}

/** An unsigned integer below 2^53 as a base-128 varint (protobuf's); returns the offset after it. */
export function writeVarint(out: Buffer, at: number, n: number): number {
  let i = at;
  while (n >= 128) {
    out[i++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  out[i++] = n;
  return i;
}

/** How many values the blob holds. */
export function valueCount(blob: Uint8Array): number {
  if (blob[0] === FIXED) return (blob.length - 1) / 8;
  return readHeader(blob).n;
}

function readHeader(blob: Uint8Array): { n: number; tags: number } {
  if (blob[0] !== PACKED) throw new Error(`unknown value format ${blob[0]}`);
  let n = 0;
  let mul = 1;
  let i = 1;
  for (;;) {
    const byte = blob[i++]!;
    n += (byte & 127) * mul;
    if (byte < 128) break;
    mul *= 128;
  }
  return { n, tags: i };
}

/**
 * How many bytes the list that starts at `base` in `blob` takes (several rows' lists may sit
 * end to end): a packed list says so in its tags; a fixed one holds `count` values, which it
 * does not record (the reader knows it from the row's layout).
 */
export function listLength(blob: Uint8Array, base: number, count: number): number {
  if (blob[base] === FIXED) return 1 + 8 * count;
  const n = countAt(blob, base);
  const tags = tagsAt(base, n);
  let at = tags + n;
  for (let i = 0; i < n; i++) at += blob[tags + i]! & 15;
  return at - base;
}

/** The count of the packed list at `base`: one byte below 128 values, read in place (this runs once per row of a range). */
function countAt(blob: Uint8Array, base: number): number {
  const first = blob[base + 1]!;
  return first < 128 ? first : readHeader(blob.subarray(base)).n;
}

/** Where the tags of a packed list of `n` values at `base` start: after the format byte and the count's varint. */
const tagsAt = (base: number, n: number): number => base + 2 + (n < 128 ? 0 : n < 16_384 ? 1 : 2);

/**
 * Value `k` of the packed list that starts at `base` in `blob` (several rows' lists may sit end
 * to end), without decoding the others: fixed, one read; packed, k tag bytes summed.
 */
export function valueAt(blob: Buffer, k: number, base = 0): number {
  if (blob[base] === FIXED) return blob.readDoubleLE(base + 1 + 8 * k);
  const n = countAt(blob, base);
  const tags = tagsAt(base, n);
  let at = tags + n;
  for (let i = 0; i < k; i++) at += blob[tags + i]! & 15;
  return readPacked(blob, blob[tags + k]!, at);
}

/**
 * Values `first` .. `first + count - 1` into `out` (a run of neighbours, such as one series'
 * min, max, sum and count in a roll-up), walking the tags once.
 */
export function valuesAt(blob: Buffer, first: number, count: number, out: number[]): void {
  if (blob[0] === FIXED) {
    for (let i = 0; i < count; i++) out[i] = blob.readDoubleLE(1 + 8 * (first + i));
    return;
  }
  const { n, tags } = readHeader(blob);
  let at = tags + n;
  for (let i = 0; i < first; i++) at += blob[tags + i]! & 15;
  for (let i = 0; i < count; i++) {
    const tag = blob[tags + first + i]!;
    out[i] = readPacked(blob, tag, at);
    at += tag & 15;
  }
}

/** Every value of the blob, in order. */
export function decodeValues(blob: Buffer): number[] {
  if (blob[0] === FIXED) {
    const values = new Array<number>((blob.length - 1) / 8);
    for (let i = 0; i < values.length; i++) values[i] = blob.readDoubleLE(1 + 8 * i);
    return values;
  }
  const { n, tags } = readHeader(blob);
  const values = new Array<number>(n);
  let at = tags + n;
  for (let i = 0; i < n; i++) {
    const tag = blob[tags + i]!;
    values[i] = readPacked(blob, tag, at);
    at += tag & 15;
  }
  return values;
}

function readPacked(blob: Buffer, tag: number, at: number): number {
  const s = tag >> 4;
  if (s === RAW) return blob.readDoubleLE(at);
  const length = tag & 15;
  let zz = 0;
  let mul = 1;
  for (let j = 0; j < length; j++) {
    zz += blob[at + j]! * mul;
    mul *= 256;
  }
  const m = zz % 2 === 0 ? zz / 2 : -(zz + 1) / 2;
  return s === 0 ? m : m / POW10[s]!;
}
