/**
 * The remote-write 1.0 WriteRequest in protocol buffers, written by hand: four messages, two
 * field types each, where a generated codec would bring a runtime and a schema compiler.
 *
 *   message WriteRequest { repeated TimeSeries timeseries = 1; }
 *   message TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 *   message Label        { string name = 1; string value = 2; }
 *   message Sample       { double value = 1; int64 timestamp = 2; }
 */

/** Field tags: (field number << 3) | wire type (0 varint, 1 fixed64, 2 length-delimited). */
const TAG_FIRST_BYTES = 0x0a; // field 1, length-delimited: timeseries, labels, label name
const TAG_SECOND_BYTES = 0x12; // field 2, length-delimited: samples, label value
const TAG_SAMPLE_VALUE = 0x09; // field 1, fixed64 double
const TAG_SAMPLE_TIMESTAMP = 0x10; // field 2, varint int64

export interface WireSample {
  readonly value: number;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
}

export interface WireSeries {
  /** The series' Label fields, framed (encodeLabels): one series' labels are encoded once and reused. */
  readonly labels: Buffer;
  /** Oldest first. */
  readonly samples: readonly WireSample[];
}

/**
 * The Label fields of a TimeSeries. `labels` must already be what the spec asks: names sorted
 * by their bytes, none repeated, no empty value (remote-write/series.ts builds them).
 */
export function encodeLabels(labels: ReadonlyArray<readonly [string, string]>): Buffer {
  const parts = labels.map(([name, value]) => [Buffer.from(name, 'utf8'), Buffer.from(value, 'utf8')] as const);
  let size = 0;
  for (const [name, value] of parts) size += fieldSize(labelSize(name, value));
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const [name, value] of parts) {
    out[at++] = TAG_FIRST_BYTES;
    at = writeVarint(out, at, labelSize(name, value));
    at = writeBytes(out, at, TAG_FIRST_BYTES, name);
    at = writeBytes(out, at, TAG_SECOND_BYTES, value);
  }
  return out;
}

/** A whole WriteRequest, uncompressed. */
export function encodeWriteRequest(series: readonly WireSeries[]): Buffer {
  const sizes = series.map(seriesSize);
  let total = 0;
  for (const size of sizes) total += fieldSize(size);
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  series.forEach((one, i) => {
    out[at++] = TAG_FIRST_BYTES;
    at = writeVarint(out, at, sizes[i]!);
    at += one.labels.copy(out, at);
    for (const sample of one.samples) {
      out[at++] = TAG_SECOND_BYTES;
      at = writeVarint(out, at, sampleSize(sample));
      out[at++] = TAG_SAMPLE_VALUE;
      at = out.writeDoubleLE(sample.value, at);
      out[at++] = TAG_SAMPLE_TIMESTAMP;
      at = writeVarint(out, at, sample.timestamp);
    }
  });
  if (at !== total) throw new Error(`protobuf: wrote ${at} bytes, expected ${total}`);
  return out;
}

const labelSize = (name: Buffer, value: Buffer): number => fieldSize(name.length) + fieldSize(value.length);
const sampleSize = (sample: WireSample): number => 1 + 8 + 1 + varintSize(sample.timestamp);
const seriesSize = (series: WireSeries): number => series.labels.length + series.samples.reduce((sum, sample) => sum + fieldSize(sampleSize(sample)), 0);
/** A length-delimited field: tag, length, bytes. */
const fieldSize = (length: number): number => 1 + varintSize(length) + length;

/** Bytes of a varint; a negative int64 takes ten (two's complement). */
export function varintSize(value: number): number {
  if (value < 0) return 10;
  let size = 1;
  for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) size++;
  return size;
}

/** Writes an integer (|value| < 2^53) as a varint; returns the offset after it. */
export function writeVarint(out: Buffer, offset: number, value: number): number {
  let at = offset;
  if (value < 0) {
    let rest = BigInt.asUintN(64, BigInt(value));
    for (let i = 0; i < 9; i++) {
      out[at++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    out[at++] = Number(rest);
    return at;
  }
  let rest = value;
  while (rest >= 128) {
    out[at++] = (rest % 128) | 0x80;
    rest = Math.floor(rest / 128);
  }
  out[at++] = rest;
  return at;
}

function writeBytes(out: Buffer, offset: number, tag: number, bytes: Buffer): number {
  out[offset] = tag;
  const at = writeVarint(out, offset + 1, bytes.length);
  return at + bytes.copy(out, at);
}
