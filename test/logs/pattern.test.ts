import { describe, expect, it } from 'vitest';
import { compileLogPattern, lineMatches, logPatternProblem, MATCH_CHARS } from '../../client-script/src/logs-pattern.js';

describe('log patterns: the safe subset', () => {
  it.each([
    'Out of memory|I/O error',
    'error',
    '^kernel: .*segfault',
    '\\bEXT4-fs error\\b',
    '(foo|bar) .* failed',
    '[0-9]{1,3}\\.[0-9]{1,3} refused',
    'disk (sd[a-z]+)? offline',
    '\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3} .*refused',
    '(?:a|b)c',
    '[(+*]+x',
    'a\\+\\*',
    'sshd.*Failed password for (root|admin) from \\d{1,3}\\.\\d{1,3}\\.',
    '(?<unit>[a-z]{1,20})\\[\\d+\\]: (error|fail(ed|ure))',
  ])('accepts %s', (pattern) => {
    expect(logPatternProblem(pattern)).toBeUndefined();
  });

  it.each([
    ['(a+)+$', /repeats a group/],
    ['(a|aa)*b', /repeats a group/],
    ['(x){2,5}', /repeats a group/],
    ['(\\w+)\\s\\1', /backreference/],
    ['(?<w>a)\\k<w>', /backreference/],
    ['foo(?=bar)', /lookaround/],
    ['(?<!x)y', /lookaround/],
    ['a.*b.*c.*d', /can take too long/],
    ['.*.*=', /can take too long/],
    ['a{0,500}a{0,500}!', /can take too long/],
    ['\\S+ \\S+ kernel', /can take too long/],
    // Narrow repeats count too: 17^5 ways on each start (33 s on a line of 512 x before this).
    ['x{0,16}x{0,16}x{0,16}x{0,16}x{0,16}y', /can take too long/],
    // So do "?" and alternatives: 2^20 each (0.66 s, doubling per pair).
    [`${'a?'.repeat(20)}${'a'.repeat(20)}b`, /more than 8 variable repeats/],
    [`${'a?'.repeat(7)}.*b`, /can take too long/],
    [`${'(a|a)'.repeat(20)}b`, /can take too long/],
    ['x{1,5000}', /more than 1000/],
    ['(', /not a regular expression/],
    ['', /empty/],
  ])('refuses %s', (pattern, why) => {
    expect(logPatternProblem(pattern)).toMatch(why);
  });

  it('matches only the first MATCH_CHARS characters of a line', () => {
    const pattern = compileLogPattern('needle', false);
    expect(lineMatches(pattern, `${'x'.repeat(MATCH_CHARS - 6)}needle`)).toBe(true);
    expect(lineMatches(pattern, `${'x'.repeat(MATCH_CHARS)}needle`)).toBe(false);
  });

  it('ignores case when asked', () => {
    expect(lineMatches(compileLogPattern('error', true), 'ERROR here')).toBe(true);
    expect(lineMatches(compileLogPattern('error', false), 'ERROR here')).toBe(false);
  });
});
