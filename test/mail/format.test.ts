import { describe, expect, it } from 'vitest';
import { samplesCsv, csvField } from '../../src/mail/csv.js';
import { emlFileName } from '../../src/mail/eml-files.js';
import { escapeHtml, formatDuration, formatNumber, oneLine, seriesName } from '../../src/mail/format.js';
import { messageIdFor } from '../../src/mail/message.js';
import { alertView, NOW } from './helpers.js';

describe('formatting for mail', () => {
  it.each([
    [93.4, '93.4'], [93.44, '93.4'], [90, '90'], [0.0523, '0.052'], [1250000, '1250000'], [-3.25, '-3.3'], [Number.NaN, 'NaN'],
  ])('formatNumber(%s) = %s', (value, expected) => expect(formatNumber(value)).toBe(expected));

  it.each([
    [0, '0s'], [45_000, '45s'], [12 * 60_000, '12m'], [65 * 60_000, '1h 5m'], [3_600_000, '1h'], [(2 * 24 + 3) * 3_600_000 + 59_000, '2d 3h'],
  ])('formatDuration(%s) = %s', (ms, expected) => expect(formatDuration(ms)).toBe(expected));

  it.each([
    ['f4\r\nBcc: x@y', 'f4 Bcc: x@y'],
    ['a\u0000b\u007fc', 'a b c'],
    ['left\u202eright\u2028down', 'left right down'],
    ['  plain  ', 'plain'],
  ])('oneLine(%j) = %j', (input, expected) => expect(oneLine(input)).toBe(expected));

  it('escapes every character HTML treats specially', () => {
    expect(escapeHtml(`<script>"x" & 'y'</script>`)).toBe('&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;');
  });

  it('names a series with sorted labels, or the bare metric', () => {
    expect(seriesName('disk_used_percent', { mount: '/', fs: 'ext4' })).toBe('disk_used_percent{fs=ext4,mount=/}');
    expect(seriesName('cpu_percent', {})).toBe('cpu_percent');
  });

  it('makes a Message-ID from the notification id, distinct ids staying distinct', () => {
    expect(messageIdFor('n-20261122-0001')).toBe('<n-20261122-0001@metrix>');
    expect(messageIdFor('a/b')).not.toBe(messageIdFor('a_b'));
    expect(messageIdFor('x>\r\nBcc: y')).toMatch(/^<[A-Za-z0-9._=-]+@metrix>$/);
  });

  it('names .eml files by time then id, distinct for distinct Message-IDs in the same second', () => {
    expect(emlFileName(NOW, '<n-1@metrix>')).toBe('20261122T040000Z-n-1@metrix.eml');
    expect(emlFileName(NOW + 500, messageIdFor('a/b'))).not.toBe(emlFileName(NOW, messageIdFor('a_b')));
    expect(emlFileName(NOW, '<../../etc/passwd@x>')).not.toContain('/');
  });
});

describe('samples CSV', () => {
  it('quotes fields per RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('writes a header and one CRLF row per sample, values exact', () => {
    const csv = samplesCsv([
      alertView({ code: 'C1', samples: [{ ts: NOW - 60_000, value: 0.1 + 0.2 }, { ts: NOW, value: 93.4 }] }),
      alertView({ code: 'C2', host: 'f5', metric: 'disk_used_percent', labels: { mount: '/data', fs: 'x,y' }, samples: [{ ts: NOW, value: 91 }] }),
    ]);
    expect(csv).toBe(
      'code,host,metric,labels,time,value\r\n' +
        'C1,f4,cpu_percent,,2026-11-22T03:59:00.000Z,0.30000000000000004\r\n' +
        'C1,f4,cpu_percent,,2026-11-22T04:00:00.000Z,93.4\r\n' +
        'C2,f5,disk_used_percent,"fs=x,y,mount=/data",2026-11-22T04:00:00.000Z,91\r\n',
    );
  });
});
