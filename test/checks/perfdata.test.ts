import { describe, expect, it } from 'vitest';
import { parsePerfdata, parsePluginOutput, parsePerfValue } from '../../client-script/src/perfdata.js';

const KB = 1024;

describe('perfdata values, in base units (KB = 1024 bytes, as monitoring-plugins count)', () => {
  it.each([
    ['4.7', 4.7],
    ['12.445000ms', 0.012445],
    ['250us', 0.00025],
    ['3s', 3],
    ['0%', 0],
    ['99.5%', 99.5],
    ['2048B', 2048],
    ['2KB', 2 * KB],
    ['2kB', 2 * KB],
    ['382MB', 382 * KB * KB],
    ['1.5GB', 1.5 * KB ** 3],
    ['2TB', 2 * KB ** 4],
    ['123456c', 123456],
    ['-3', -3],
    ['-0.5s', -0.5],
    ['1e3', 1000],
    ['.5', 0.5],
  ])('%s is %d', (field, value) => {
    expect(parsePerfValue(field)).toBeCloseTo(value, 12);
  });

  it.each(['', 'U', 'abc', '1,5', '5 MB', '5PB', '5hours', '1.2.3', 'NaN', 'Infinity', '--1'])('%j is not a value', (field) => {
    expect(parsePerfValue(field)).toBeUndefined();
  });
});

describe('perfdata lists', () => {
  it.each([
    ["load1=0.1;15;30;0 load5=0.2;10;25;0 load15=0.3;5;20;0", [['load1', 0.1], ['load5', 0.2], ['load15', 0.3]], 0],
    ["'load 1'=4.7", [['load 1', 4.7]], 0],
    ["'it''s'=1 'a ''b'' c'=2", [["it's", 1], ["a 'b' c", 2]], 0],
    ["time=0.897ms;20;40;; ok=1", [['time', 0.000897], ['ok', 1]], 0],
    ["/=382MB;15264;15269;; /var=218MB;9443;9448", [['/', 382 * KB * KB], ['/var', 218 * KB * KB]], 0],
    ["rta=U;1;2 pl=0%", [['pl', 0]], 1],
    ["broken 'unclosed=1 x=2", [], 2],
    ["a=1 =2 b=nope c=3", [['a', 1], ['c', 3]], 2],
    ["  spaced=1   other=2  ", [['spaced', 1], ['other', 2]], 0],
  ])('%s', (text, items, skipped) => {
    const parsed = parsePerfdata(text);
    expect(parsed.perf.map((p) => [p.label, p.value])).toEqual(items.map(([label, value]) => [label, expect.closeTo(value as number, 12)]));
    expect(parsed.skipped).toBe(skipped);
  });

  it('keeps at most 50 items and counts the rest as skipped', () => {
    const parsed = parsePerfdata(Array.from({ length: 70 }, (_, i) => `m${i}=${i}`).join(' '));
    expect(parsed.perf).toHaveLength(50);
    expect(parsed.skipped).toBe(20);
  });
});

describe('plugin output lines', () => {
  it('reads the first line text and the perfdata of the first line, the long text and the lines after it', () => {
    const out = 'DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968\n/ 15272 MB (77%);\n/boot 68 MB (69%);\n/home 69357 MB (27%);\n/var/log 819 MB (84%); | /boot=68MB;88;93;0;98\n/home=69357MB;253404;253409;0;253414\n/var/log=818MB;970;975;0;980\n';
    const parsed = parsePluginOutput(out);
    expect(parsed.text).toBe('DISK OK - free space: / 3326 MB (56%);');
    expect(parsed.perf.map((p) => p.label)).toEqual(['/', '/boot', '/home', '/var/log']);
    expect(parsed.perf[3]!.value).toBe(818 * KB * KB);
  });

  it('has no perfdata without a bar, and long text alone adds none', () => {
    expect(parsePluginOutput('CRITICAL: down\nmore text\n')).toEqual({ text: 'CRITICAL: down', perf: [], skipped: 0 });
  });

  it('reads CRLF output like LF', () => {
    expect(parsePluginOutput('OK|a=1\r\nlong\r\n').perf).toEqual([{ label: 'a', value: 1 }]);
  });
});
