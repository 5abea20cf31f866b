/**
 * A reader of what metrix sends, independent of the writer: a minimal protobuf decoder of the
 * remote-write WriteRequest, for the tests and the fake stores that inspect requests.
 */
export interface DecodedSeries {
  readonly labels: Array<[string, string]>;
  readonly samples: Array<{ value: number; timestamp: number }>;
}

interface Field {
  readonly number: number;
  readonly wire: number;
  /** varint value, or fixed64 bytes, or length-delimited bytes */
  readonly value: bigint | Buffer;
}

function* fields(buf: Buffer): Generator<Field> {
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= buf.length) throw new Error('truncated varint');
      const byte = buf[at++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
    }
  };
  while (at < buf.length) {
    const key = Number(varint());
    const wire = key & 7;
    const number = key >>> 3;
    if (wire === 0) yield { number, wire, value: varint() };
    else if (wire === 1) {
      yield { number, wire, value: buf.subarray(at, at + 8) };
      at += 8;
    } else if (wire === 2) {
      const length = Number(varint());
      if (at + length > buf.length) throw new Error('truncated field');
      yield { number, wire, value: buf.subarray(at, at + length) };
      at += length;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
}

const bytes = (field: Field, number: number): Buffer => {
  if (field.number !== number || field.wire !== 2) throw new Error(`expected bytes field ${number}, got ${field.number}/${field.wire}`);
  return field.value as Buffer;
};

export function decodeWriteRequest(buf: Buffer): DecodedSeries[] {
  return [...fields(buf)].map((series) => {
    const decoded: DecodedSeries = { labels: [], samples: [] };
    for (const field of fields(bytes(series, 1))) {
      if (field.number === 1) {
        const [name, value] = [...fields(field.value as Buffer)].map((f, i) => bytes(f, i + 1).toString('utf8'));
        decoded.labels.push([name!, value!]);
      } else if (field.number === 2) {
        let value = NaN;
        let timestamp = 0;
        for (const f of fields(field.value as Buffer)) {
          if (f.number === 1 && f.wire === 1) value = (f.value as Buffer).readDoubleLE(0);
          else if (f.number === 2 && f.wire === 0) timestamp = Number(BigInt.asIntN(64, f.value as bigint));
          else throw new Error(`unexpected sample field ${f.number}/${f.wire}`);
        }
        decoded.samples.push({ value, timestamp });
      } else throw new Error(`unexpected series field ${field.number}`);
    }
    return decoded;
  });
}
