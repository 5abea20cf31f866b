import { describe, expect, it } from 'vitest';
import { downsample } from '../../src/query/aggregate.js';
import { csvField, formatRows } from '../../src/query/format.js';
import { parseTimeArg } from '../../src/query/time-arg.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');

describe('parseTimeArg', () => {
  it.each([
    ['now', NOW],
    ['1h', NOW - 3_600_000],
    ['90s', NOW - 90_000],
    ['2026-11-21', Date.parse('2026-11-21T00:00:00Z')],
    ['2026-11-21T18:00', Date.parse('2026-11-21T18:00:00Z')],
    ['2026-11-21 18:00:30', Date.parse('2026-11-21T18:00:30Z')],
    ['2026-11-21T18:00:00+02:00', Date.parse('2026-11-21T16:00:00Z')],
    ['yesterday', undefined],
    ['1 hour', undefined],
    ['2026-13-40', undefined],
  ])('%s', (text, expected) => expect(parseTimeArg(text, NOW)).toBe(expected));
});

describe('downsample', () => {
  const points = [0, 20, 40, 60, 80, 100].map((s, i) => ({ ts: s * 1000, value: i + 1 }));
  it.each([
    ['avg', [{ ts: 0, value: 2 }, { ts: 60_000, value: 5 }]],
    ['min', [{ ts: 0, value: 1 }, { ts: 60_000, value: 4 }]],
    ['max', [{ ts: 0, value: 3 }, { ts: 60_000, value: 6 }]],
    ['last', [{ ts: 0, value: 3 }, { ts: 60_000, value: 6 }]],
    ['p95', [{ ts: 0, value: 3 }, { ts: 60_000, value: 6 }]],
  ] as const)('%s per minute', (agg, expected) => expect(downsample(points, 60_000, agg)).toEqual(expected));
});

describe('formatRows', () => {
  const rows = [{ host: 'f4', metric: 'disk_used_percent', labels: { mount: '/data, "x"' }, ts: Date.parse('2026-11-22T11:00:00Z'), value: 41.5 }];
  it('writes RFC 4180 CSV: CRLF, quoted commas and doubled quotes', () => {
    expect(formatRows(rows, 'csv')).toBe('time,host,metric,labels,value\r\n2026-11-22T11:00:00Z,f4,disk_used_percent,"mount=/data, ""x""",41.5\r\n');
  });
  it('writes JSON with both a timestamp and an ISO time', () => {
    expect(JSON.parse(formatRows(rows, 'json'))).toEqual([{ time: '2026-11-22T11:00:00Z', ts: rows[0]!.ts, host: 'f4', metric: 'disk_used_percent', labels: { mount: '/data, "x"' }, value: 41.5 }]);
  });
  it('writes an aligned table', () => {
    expect(formatRows(rows, 'table').split('\n')[0]).toMatch(/^time\s+host\s+metric\s+labels\s+value$/);
  });
  it.each([['plain', 'plain'], ['a,b', '"a,b"'], ['line\nbreak', '"line\nbreak"']])('csvField(%j)', (text, expected) => expect(csvField(text)).toBe(expected));
});
