import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seriesLabels, WireEncoder, type StoredRow } from '../../src/remote-write/batch.js';
import { exposedName } from '../../src/metrics/prometheus-names.js';
import { encodeLabels, encodeWriteRequest, varintSize, writeVarint } from '../../src/remote-write/protobuf.js';
import { snappyCompress, snappyDecompress } from '../../src/remote-write/snappy.js';
import { decodeWriteRequest } from './wire.js';

describe('the WriteRequest protobuf', () => {
  it('encodes one series with one sample to the bytes protoc would write', () => {
    const body = encodeWriteRequest([{ labels: encodeLabels([['__name__', 'up'], ['host', 'a']]), samples: [{ value: 1, timestamp: 1000 }] }]);
    // WriteRequest.timeseries (0a 29) { Label (0a 0e) { name 0a 08 "__name__", value 12 02 "up" },
    // Label (0a 09) { 0a 04 "host", 12 01 "a" }, Sample (12 0c) { 09 <double 1.0 LE>, 10 e8 07 } }
    const expected = Buffer.concat([
      Buffer.from([0x0a, 0x29]),
      Buffer.from([0x0a, 0x0e, 0x0a, 0x08]), Buffer.from('__name__'), Buffer.from([0x12, 0x02]), Buffer.from('up'),
      Buffer.from([0x0a, 0x09, 0x0a, 0x04]), Buffer.from('host'), Buffer.from([0x12, 0x01]), Buffer.from('a'),
      Buffer.from([0x12, 0x0c, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0xe8, 0x07]),
    ]);
    expect(body.toString('hex')).toBe(expected.toString('hex'));
  });

  it('round-trips many series, UTF-8 labels, NaN and ±Inf, ms timestamps of today and before 1970', () => {
    const series = [
      { labels: [['__name__', 'disk_used_percent'], ['host', 'nœud-7'], ['mount', '/home/ü']] as Array<[string, string]>, samples: [{ value: 91.25, timestamp: 1_764_530_000_123 }] },
      { labels: [['__name__', 'x']] as Array<[string, string]>, samples: [{ value: NaN, timestamp: -1 }, { value: Infinity, timestamp: 0 }, { value: -Infinity, timestamp: 2 ** 52 }] },
    ];
    const decoded = decodeWriteRequest(encodeWriteRequest(series.map((s) => ({ labels: encodeLabels(s.labels), samples: s.samples }))));
    expect(decoded).toEqual(series);
  });

  it('writes varints of every length up to 2^53 and negative int64 in ten bytes', () => {
    for (const value of [0, 1, 127, 128, 16_383, 16_384, 2 ** 31, 2 ** 32 + 5, 1_764_530_000_123, 2 ** 53 - 1, -1, -1_000]) {
      const out = Buffer.alloc(10);
      const end = writeVarint(out, 0, value);
      expect(end).toBe(varintSize(value));
      let decoded = 0n;
      for (let i = 0; i < end; i++) decoded |= BigInt(out[i]! & 0x7f) << BigInt(7 * i);
      expect(Number(BigInt.asIntN(64, decoded))).toBe(value);
    }
  });

  it('labels a series by name with __name__ first, the series own labels over extra labels, host and group set by metrix, no empty values', () => {
    expect(seriesLabels('f4', ['compute', 'gpu'], 'disk_used_percent', { mount: '/', empty: '' }, { site: 'jinr', mount: 'extra', zone: 'b' })).toEqual([
      ['__name__', 'disk_used_percent'],
      ['group', 'compute,gpu'],
      ['host', 'f4'],
      ['mount', '/'],
      ['site', 'jinr'],
      ['zone', 'b'],
    ]);
    expect(seriesLabels('(metrix)', [], 'metrix_mail_ok', {}, {})).toEqual([['__name__', 'metrix_mail_ok'], ['host', '(metrix)']]);
  });

  it.each([
    ['uptime_sec', 'uptime_seconds'],
    ['poll_duration_sec', 'poll_duration_seconds'],
    ['net_rx_bytes_per_sec', 'net_rx_bytes_per_second'],
    ['procs_total', 'procs_all'],
    ['net_rx_bytes_total', 'net_rx_bytes_total'],
    ['mem_percent', 'mem_percent'],
  ])('names %s as /metrics does: %s', (metric, name) => {
    expect(exposedName(metric)).toBe(name);
  });
});

describe('the label cache of a long-lived encoder', () => {
  // Churning series, as perfdata labels and mounts that come and go make them: one new id per poll.
  const row = (id: number, series: number[]): StoredRow => ({
    id, host: 'n1', count: series.length, samples: series.map((s) => ({ series: s, metric: 'check_perf', labels: { check: 'c', label: `l${s}` }, ts: 1_700_000_000_000 + id, value: s })),
  });

  it('holds at most two generations of its limit, keeps the steady series, and encodes the same bytes as a fresh encoder', () => {
    const encoder = new WireEncoder({ site: 'x' }, new Map([['n1', ['gpu']]]), 100);
    for (let poll = 0; poll < 1000; poll++) {
      const batch = { rows: [row(poll, [1, 2, 3, 1000 + poll])], samples: 4 };
      const sent = encoder.encode(batch);
      expect(encoder.cached).toBeLessThanOrEqual(200);
      if (poll % 97 === 0) expect(sent.body).toEqual(new WireEncoder({ site: 'x' }, new Map([['n1', ['gpu']]])).encode(batch).body);
    }
    const decoded = decodeWriteRequest(snappyDecompress(encoder.encode({ rows: [row(2000, [1, 1999])], samples: 2 }).body));
    expect(decoded.map((s) => s.labels.find(([name]) => name === 'label')?.[1])).toEqual(['l1', 'l1999']);
  });
});

describe('snappy', () => {
  const roundTrip = (input: Buffer): Buffer => {
    const compressed = snappyCompress(input);
    expect(snappyDecompress(compressed).equals(input)).toBe(true);
    return compressed;
  };

  it('round-trips empty, tiny, random and repetitive input across 64 KiB blocks', () => {
    for (const size of [0, 1, 14, 15, 16, 61, 300, 65_535, 65_536, 65_537, 200_000]) {
      roundTrip(randomBytes(size));
      roundTrip(Buffer.alloc(size, 7));
    }
  });

  it('compresses what repeats: a remote-write body shrinks several times over', () => {
    const series = Array.from({ length: 500 }, (_, i) => ({
      labels: encodeLabels([['__name__', 'disk_used_percent'], ['host', `node-${i % 50}`], ['mount', `/data${i % 10}`]]),
      samples: [{ value: i / 3, timestamp: 1_764_530_000_000 + i }],
    }));
    const raw = encodeWriteRequest(series);
    const compressed = roundTrip(raw);
    expect(compressed.length).toBeLessThan(raw.length / 3);
  });

  it('round-trips random mixes of repeats and noise (copies of every length and distance)', () => {
    for (let trial = 0; trial < 50; trial++) {
      const parts: Buffer[] = [];
      let size = 0;
      while (size < 100_000) {
        const part = Math.random() < 0.5 ? randomBytes(1 + Math.floor(Math.random() * 100)) : Buffer.concat(parts.slice(-3)).subarray(0, 1 + Math.floor(Math.random() * 300));
        parts.push(part);
        size += part.length;
      }
      roundTrip(Buffer.concat(parts));
    }
  });

  it('a decoder refuses malformed blocks instead of reading past them', () => {
    expect(() => snappyDecompress(Buffer.from([0x05, 0x00, 0x41]))).toThrow(/snappy/);
    expect(() => snappyDecompress(Buffer.from([0x04, 0x00, 0x41, 0x01, 0x05]))).toThrow(/snappy/);
  });
});
