import { decimalScale } from './codec.js';

/**
 * How one series' roll-up buckets over one chunk of time (CHUNK_MS: 12 hours of 5-minute
 * buckets, 6 days of hourly ones) are packed. Pure. Column by column, each as differences from the
 * bucket before, since neighbouring buckets of one series differ little:
 *
 *   [2] [n, varint]
 *   index  bucket number within the chunk. [0] [first]: every bucket from the first on, one
 *          after the other (the usual case); or [1] then the first and each gap less one.
 *   count  samples in the bucket. [0] [count]: the same in every bucket (the usual case); or
 *          [1] then the first and the zigzag differences.
 *   min, max, sum: a header byte. s = 0..6: every value is a decimal with at most s places,
 *          stored as integers value·10^s, each the zigzag difference from the one before;
 *          128 + s: the same, as differences of those differences (a counter's steady climb
 *          costs a byte a bucket); 255: plain doubles, 8 bytes each.
 *
 * Every varint is a non-negative integer below 2^53, 7 bits a byte. A series whose average
 * moves by a few hundredths from bucket to bucket costs about 5 to 8 bytes a bucket. Every
 * value comes back bit for bit.
 */
export interface ChunkBucket {
  readonly index: number;
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  readonly count: number;
}

const FORMAT = 2;
const RAW = 255;
const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000];
/** Differences of integers up to this stay below 2^52 in zigzag form: exact in a double. */
const MAX_SCALED = 2 ** 50;

class Writer {
  private buf = Buffer.allocUnsafe(256);
  length = 0;

  private room(bytes: number): void {
    if (this.length + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + bytes));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }

  byte(value: number): void {
    this.room(1);
    this.buf[this.length++] = value;
  }

  /** A non-negative integer below 2^53. */
  varint(value: number): void {
    this.room(8);
    while (value >= 128) {
      this.buf[this.length++] = (value % 128) | 128;
      value = Math.floor(value / 128);
    }
    this.buf[this.length++] = value;
  }

  double(value: number): void {
    this.room(8);
    this.buf.writeDoubleLE(value, this.length);
    this.length += 8;
  }

  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}

class Reader {
  at = 0;
  constructor(private readonly buf: Buffer) {}

  byte(): number {
    return this.buf[this.at++]!;
  }

  varint(): number {
    let value = 0;
    let mul = 1;
    for (;;) {
      const byte = this.buf[this.at++]!;
      value += (byte & 127) * mul;
      if (byte < 128) return value;
      mul *= 128;
    }
  }

  double(): number {
    const value = this.buf.readDoubleLE(this.at);
    this.at += 8;
    return value;
  }
}

const zigzag = (n: number): number => (n >= 0 ? 2 * n : -2 * n - 1);
const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

/** The decimal places every value has at most, or undefined when one of them has none (or is too big). */
function columnScale(values: readonly number[]): number | undefined {
  let scale = 0;
  for (const v of values) {
    // Most values need no more places than those before them: one check instead of a search.
    const m = Math.round(v * POW10[scale]!);
    if (m / POW10[scale]! === v && !Object.is(v, -0)) continue;
    const s = decimalScale(v);
    if (s === undefined) return undefined;
    if (s > scale) scale = s;
  }
  return values.every((v) => Math.abs(Math.round(v * POW10[scale]!)) <= MAX_SCALED) ? scale : undefined;
}

const SECOND_ORDER = 128;

/** Zigzag differences of `ints` (from 0 before the first); differences of differences when `second`. */
function differences(ints: readonly number[], second: boolean): number[] {
  const first = ints.map((v, i) => v - (i === 0 ? 0 : ints[i - 1]!));
  const chosen = second ? first.map((d, i) => d - (i === 0 ? 0 : first[i - 1]!)) : first;
  return chosen.map(zigzag);
}

const varintBytes = (values: readonly number[]): number => values.reduce((sum, v) => sum + (v < 128 ? 1 : Math.ceil(Math.log2(v + 1) / 7)), 0);

function writeColumn(out: Writer, values: readonly number[]): void {
  const scale = columnScale(values);
  if (scale === undefined) {
    out.byte(RAW);
    for (const v of values) out.double(v);
    return;
  }
  const ints = values.map((v) => Math.round(v * POW10[scale]!));
  const once = differences(ints, false);
  // Second differences of integers up to 2^50 stay below 2^53 in zigzag form.
  const twice = differences(ints, true);
  const second = varintBytes(twice) < varintBytes(once);
  out.byte(second ? SECOND_ORDER + scale : scale);
  for (const z of second ? twice : once) out.varint(z);
}

function readColumn(input: Reader, n: number): number[] {
  const header = input.byte();
  const values = new Array<number>(n);
  if (header === RAW) {
    for (let i = 0; i < n; i++) values[i] = input.double();
    return values;
  }
  const second = header >= SECOND_ORDER;
  const scale = second ? header - SECOND_ORDER : header;
  let last = 0;
  let step = 0;
  for (let i = 0; i < n; i++) {
    const d = unzigzag(input.varint());
    if (second) step += d;
    last += second ? step : d;
    values[i] = scale === 0 ? last : last / POW10[scale]!;
  }
  return values;
}

/** Packs buckets given in increasing index order. */
export function encodeChunk(buckets: readonly ChunkBucket[]): Buffer {
  const out = new Writer();
  out.byte(FORMAT);
  out.varint(buckets.length);
  const contiguous = buckets.every((b, i) => i === 0 || b.index === buckets[i - 1]!.index + 1);
  out.byte(contiguous ? 0 : 1);
  if (contiguous) out.varint(buckets[0]?.index ?? 0);
  else {
    let lastIndex = -1;
    for (const b of buckets) {
      out.varint(b.index - lastIndex - 1);
      lastIndex = b.index;
    }
  }
  const same = buckets.every((b) => b.count === buckets[0]!.count);
  out.byte(same ? 0 : 1);
  if (same) out.varint(buckets[0]?.count ?? 0);
  else {
    let lastCount = 0;
    for (const b of buckets) {
      out.varint(zigzag(b.count - lastCount));
      lastCount = b.count;
    }
  }
  writeColumn(out, buckets.map((b) => b.min));
  writeColumn(out, buckets.map((b) => b.max));
  writeColumn(out, buckets.map((b) => b.sum));
  return out.done();
}

export function decodeChunk(blob: Buffer): ChunkBucket[] {
  const { index, min, max, sum, count } = decodeColumns(blob);
  return index.map((ix, i) => ({ index: ix, min: min[i]!, max: max[i]!, sum: sum[i]!, count: count[i]! }));
}

/** The chunk as its columns, for readers that build their own objects. */
export function decodeColumns(blob: Buffer): { index: number[]; min: number[]; max: number[]; sum: number[]; count: number[] } {
  const input = new Reader(blob);
  if (input.byte() !== FORMAT) throw new Error(`unknown roll-up format ${blob[0]}`);
  const n = input.varint();
  const index = new Array<number>(n);
  if (input.byte() === 0) {
    const first = input.varint();
    for (let i = 0; i < n; i++) index[i] = first + i;
  } else {
    let lastIndex = -1;
    for (let i = 0; i < n; i++) index[i] = lastIndex = lastIndex + 1 + input.varint();
  }
  const count = new Array<number>(n);
  if (input.byte() === 0) count.fill(input.varint());
  else {
    let lastCount = 0;
    for (let i = 0; i < n; i++) count[i] = lastCount = lastCount + unzigzag(input.varint());
  }
  const min = readColumn(input, n);
  const max = readColumn(input, n);
  const sum = readColumn(input, n);
  return { index, min, max, sum, count };
}

/** How many buckets a packed chunk holds, without decoding it. */
export function chunkSize(blob: Buffer): number {
  const input = new Reader(blob);
  input.byte();
  return input.varint();
}
