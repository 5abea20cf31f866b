import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { orderHostKeyAlgorithms } from '../../src/ssh/host-key-check.js';
import { remotePath, shellCommand, shellQuote } from '../../src/ssh/shell-quote.js';

const run = promisify(execFile);

describe('shellQuote', () => {
  it.each([
    ['plain', 'plain'],
    ['/tmp/metrix/metrix-collector.js', '/tmp/metrix/metrix-collector.js'],
    ['--challenge=AbC_12-x', '--challenge=AbC_12-x'],
    ['', "''"],
    ['a b', "'a b'"],
    ["it's", `'it'\\''s'`],
    ['$HOME', "'$HOME'"],
  ])('%j → %s', (word, quoted) => {
    expect(shellQuote(word)).toBe(quoted);
  });

  it('survives a real /bin/sh: every word arrives unchanged', async () => {
    const words = ['a b', "it's", '$HOME', '`id`', '$(id)', '; rm -rf /', '"x"', '\\', '*', '~', 'é ü 漢', '', '\n-newline', "'"];
    const { stdout } = await run('/bin/sh', ['-c', `printf '%s\\0' ${shellCommand(words)}`]);
    expect(stdout.split('\0').slice(0, -1)).toEqual(words);
  });

  it('refuses a NUL byte, which no shell word can hold', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});

describe('remotePath', () => {
  it.each([
    ['/tmp/metrix', 'metrix-collector.js', '/tmp/metrix/metrix-collector.js'],
    ['/tmp/metrix/', 'x', '/tmp/metrix/x'],
    ['~/metrix', 'x', 'metrix/x'],
    ['~', 'x', './x'],
    ['~/', undefined, '.'],
    ['/opt/metrix', undefined, '/opt/metrix'],
  ])('%s + %s → %s', (dir, name, expected) => {
    expect(remotePath(dir, name)).toBe(expected);
  });
});

describe('orderHostKeyAlgorithms', () => {
  it.each([
    [[], 'ssh-ed25519'],
    [['ecdsa-sha2-nistp256'], 'ecdsa-sha2-nistp256'],
    [['ssh-rsa'], 'rsa-sha2-512,rsa-sha2-256,ssh-rsa'],
    [['ssh-rsa', 'ssh-ed25519'], 'ssh-ed25519,rsa-sha2-512,rsa-sha2-256,ssh-rsa'],
  ])('known %j are offered first: %s', (known, first) => {
    const order = orderHostKeyAlgorithms(known);
    expect(order.slice(0, first.split(',').length).join(',')).toBe(first);
    expect(order).toHaveLength(7);
  });
});
