import { describe, expect, test } from 'vitest';
import { resolveLocalPath } from '../../src/config/context.js';
import { formatSize, parseSize } from '../../src/config/size.js';
import { closest, editDistance } from '../../src/config/suggest.js';

describe('parseSize', () => {
  test.each([
    ['4096', 4096],
    ['100B', 100],
    ['512KB', 512 * 1024],
    ['1MB', 1024 ** 2],
    ['1.5mb', 1.5 * 1024 ** 2],
    ['10 MB', 10 * 1024 ** 2],
    ['2GB', 2 * 1024 ** 3],
    ['1XB', undefined],
    ['MB', undefined],
    ['-1MB', undefined],
    ['', undefined],
  ])('%s -> %s', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  test.each([
    [1024 ** 2, '1MB'],
    [512 * 1024, '512KB'],
    [1000, '1000B'],
  ])('formatSize(%i) = %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });
});

describe('closest', () => {
  test.each([
    ['adress', ['name', 'address', 'port'], 'address'],
    ['cpu_pct', ['cpu_percent', 'load1'], 'cpu_percent'],
    ['warn', ['info', 'warning', 'critical'], 'warning'],
    ['ConnectTimeout', ['connectTimeout', 'commandTimeout'], 'connectTimeout'],
    ['id', ['to', 'op'], undefined],
    ['zzzzzz', ['address', 'port'], undefined],
  ] as const)('%s among %j -> %s', (word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected);
  });

  test('editDistance counts single-character edits', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});

describe('resolveLocalPath', () => {
  test.each([
    ['metrix.db', '/etc/metrix/metrix.db'],
    ['./keys', '/etc/metrix/keys'],
    ['../shared/db', '/etc/shared/db'],
    ['/var/lib/metrix.db', '/var/lib/metrix.db'],
    ['~', '/home/alice'],
    ['~/.ssh/id_ed25519', '/home/alice/.ssh/id_ed25519'],
  ])('%s -> %s', (value, expected) => {
    expect(resolveLocalPath(value, '/etc/metrix', '/home/alice')).toBe(expected);
  });
});
