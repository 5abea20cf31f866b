import { decimalScale } from './codec.js';

/**
 * How one series' roll-up buckets over one chunk of time (CHUNK_MS: 12 hours of 5-minute
 * buckets, 6 days of hourly ones) are packed. Pure. Column by column, each as differences from the
 * bucket before, since neighbouring buckets of one series differ little:
 *
 *   [2] [n, varint]
 *   index  bucket number within the chunk: the first, then each gap less one (varints)
 *   count  samples in the bucket: the first, then zigzag differences (varints)
 *   min, max, sum: a column header byte, s = 0..6: every value is a decimal with at most s
 *          places, stored as the zigzag difference of value·10^s from the one before
 *          (varints); or 255: plain doubles, 8 bytes each.
 *
 * A series whose average moves by a few hundredths from bucket to bucket costs about 5 to 8
 * bytes a bucket. Every value comes back bit for bit.
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

function writeColumn(out: Writer, values: readonly number[]): void {
  const scale = columnScale(values);
  if (scale === undefined) {
    out.byte(RAW);
    for (const v of values) out.double(v);
    return;
  }
  out.byte(scale);
  let last = 0;
  for (const v of values) {
    const scaled = Math.round(v * POW10[scale]!);
    out.varint(zigzag(scaled - last));
    last = scaled;
  }
}

function readColumn(input: Reader, n: number): number[] {
  const scale = input.byte();
  const values = new Array<number>(n);
  if (scale === RAW) {
    for (let i = 0; i < n; i++) values[i] = input.double();
    return values;
  }
  let last = 0;
  for (let i = 0; i < n; i++) {
    last += unzigzag(input.varint());
    values[i] = scale === 0 ? last : last / POW10[scale]!;
  }
  return values;
}

/** Packs buckets given in increasing index order. */
export function encodeChunk(buckets: readonly ChunkBucket[]): Buffer {
  const out = new Writer();
  out.byte(FORMAT);
  out.varint(buckets.length);
  let lastIndex = -1;
  for (const b of buckets) {
    out.varint(b.index - lastIndex - 1);
    lastIndex = b.index;
  }
  let lastCount = 0;
  for (const b of buckets) {
    out.varint(zigzag(b.count - lastCount));
    lastCount = b.count;
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
  let lastIndex = -1;
  for (let i = 0; i < n; i++) index[i] = lastIndex = lastIndex + 1 + input.varint();
  const count = new Array<number>(n);
  let lastCount = 0;
  for (let i = 0; i < n; i++) count[i] = lastCount = lastCount + unzigzag(input.varint());
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
