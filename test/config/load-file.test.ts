import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { MetrixError } from '../../src/errors.js';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';
import { ENV } from './helpers.js';

const GOOD = '<metrix><hosts><host name="me" transport="local"/></hosts></metrix>';

function errorOf(file: string): MetrixError {
  try {
    loadConfig(file, ENV);
  } catch (err) {
    if (err instanceof MetrixError) return err;
    throw err;
  }
  throw new Error('expected a MetrixError');
}

/** A config file in a fresh directory, written by `make`; returns its path. */
function configFile(make: (path: string) => void): string {
  const file = join(tempDir(), 'config.xml');
  make(file);
  return file;
}

const utf16le = (text: string, bom: boolean): Buffer => Buffer.concat([Buffer.from(bom ? [0xff, 0xfe] : []), Buffer.from(text, 'utf16le')]);
const utf16be = (text: string): Buffer => Buffer.from(Buffer.from(text, 'utf16le').map((_, i, b) => b[i ^ 1]!));

// Issue #7 item 14: one file that is not a usable config per line, and what the error says.
describe('a config file that cannot be a config', () => {
  test.each([
    ['a FIFO (used to block forever)', (f: string) => execFileSync('mkfifo', [f]), /: a named pipe \(FIFO\), not a regular file$/],
    ['a directory', (f: string) => mkdirSync(f), /: a directory, not a regular file$/],
    ['over 1MB', (f: string) => writeFileSync(f, `${GOOD}<!--${'x'.repeat(1024 * 1024)}-->`), /is larger than 1MB \(\d+ bytes\); is it the right file\?$/],
    ['UTF-16 with a BOM', (f: string) => writeFileSync(f, utf16le(GOOD, true)), /config.xml is UTF-16 \(little-endian\); save it as UTF-8$/],
    ['UTF-16 big-endian with a BOM', (f: string) => writeFileSync(f, utf16be(`\ufeff${GOOD}`)), /config.xml is UTF-16 \(big-endian\); save it as UTF-8$/],
    ['UTF-16 without a BOM', (f: string) => writeFileSync(f, utf16le(GOOD, false)), /config.xml holds NUL bytes \(from byte 1\): probably UTF-16 \(little-endian\) without a BOM; save it as UTF-8$/],
    ['UTF-32', (f: string) => writeFileSync(f, Buffer.from([0xff, 0xfe, 0, 0, 0x3c, 0, 0, 0])), /config.xml is UTF-32 \(little-endian\); save it as UTF-8$/],
    ['Latin-1', (f: string) => writeFileSync(f, Buffer.from(GOOD.replace('name="me"', 'name="m\u00e9"'), 'latin1')), /config.xml is not valid UTF-8 \(bad byte at offset 28\); save it as UTF-8$/],
  ])('%s', (_label, make, message) => {
    const error = errorOf(configFile(make));
    expect(error.code).toBe('CONFIG');
    expect(error.message).toMatch(message);
  });

  test('a device is refused before a byte is read', () => {
    expect(errorOf('/dev/zero').message).toBe('cannot read config file /dev/zero: a device, not a regular file');
  });

  test('UTF-8 with a BOM is fine', () => {
    const file = configFile((f) => writeFileSync(f, `\ufeff${GOOD}`));
    expect(loadConfig(file, ENV).hosts.map((h) => h.name)).toEqual(['me']);
  });
});

describe('local paths of the wrong kind', () => {
  test('keys= naming a file: not a directory', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'keys.txt'), 'x', { mode: 0o600 });
    writeFileSync(join(dir, 'config.xml'), GOOD.replace('<hosts>', '<settings keys="keys.txt"/><hosts>'));
    const error = errorOf(join(dir, 'config.xml'));
    expect(error.message).toBe(`${join(dir, 'config.xml')}: 1 problem in config`);
    expect(error.details).toEqual([`<settings> keys: ${join(dir, 'keys.txt')} is not a directory (it names a directory metrix keeps files in)`]);
  });

  test('database= naming a directory', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'db'));
    writeFileSync(join(dir, 'config.xml'), GOOD.replace('<hosts>', '<settings database="db"/><hosts>'));
    expect(errorOf(join(dir, 'config.xml')).details).toEqual([`<settings> database: ${join(dir, 'db')} is a directory, not a file`]);
  });
});

describe('through the CLI', () => {
  test.each([
    ['config', 'check'],
    ['init'],
    ['execute'],
  ])('metrix %s on a FIFO or a UTF-16 file: exit 2, one line, no stack', async (...args) => {
    const fifo = configFile((f) => execFileSync('mkfifo', [f]));
    const run = await runCli('/', [...args, '-c', fifo]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`metrix: cannot read config file ${fifo}: a named pipe (FIFO), not a regular file\n`);
    const wide = configFile((f) => writeFileSync(f, utf16le(GOOD, true)));
    const second = await runCli('/', [...args, '-c', wide]);
    expect(second.code).toBe(2);
    expect(second.stderr).toBe(`metrix: ${wide} is UTF-16 (little-endian); save it as UTF-8\n`);
  });
});
