import { describe, expect, it } from 'vitest';
import { exitCodeOf, reportError } from '../../src/cli/errors.js';
import { MetrixError } from '../../src/errors.js';
import { captureIo } from '../helpers/io.js';

const reported = (err: unknown): string => {
  const io = captureIo('/');
  reportError(err, io);
  return io.stderr();
};

describe('reportError and exitCodeOf', () => {
  it.each([
    [new MetrixError('CONFIG', 'config.xml: 2 problems in config', { details: ['a', 'b'] }), 2, 'metrix: config.xml: 2 problems in config\n  a\n  b\n'],
    [new MetrixError('LOCKED', 'another metrix execute is still running'), 3, 'metrix: another metrix execute is still running\n'],
    [Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }), 1, /^metrix: database error \(SQLITE_FULL\): database or disk is full; nothing of this run was half-written/],
    [new TypeError('x is undefined'), 1, /^metrix: internal error \(please report it\): TypeError: x is undefined\n\s+at /],
  ] as const)('%s', (err, code, message) => {
    expect(exitCodeOf(err)).toBe(code);
    if (typeof message === 'string') expect(reported(err)).toBe(message);
    else expect(reported(err)).toMatch(message);
  });
});
