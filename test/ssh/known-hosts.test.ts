import { describe, expect, it } from 'vitest';
import { checkHostKey, knownKeyTypes } from '../../src/ssh/host-key-check.js';
import { hashHostName, matchHostList } from '../../src/ssh/host-pattern.js';
import { parseKnownHosts } from '../../src/ssh/known-hosts.js';

// Real key blobs are not needed for the pure checks: any well-formed "type + data" blob works.
const blob = (type: string, seed: string): Buffer => {
  const name = Buffer.from(type);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  return Buffer.concat([length, name, Buffer.from(seed)]);
};
const ED_A = blob('ssh-ed25519', 'key-a');
const ED_B = blob('ssh-ed25519', 'key-b');
const EC_C = blob('ecdsa-sha2-nistp256', 'key-c');
const line = (hosts: string, key: Buffer, marker = ''): string =>
  `${marker ? `${marker} ` : ''}${hosts} ${key.subarray(4, 4 + key.readUInt32BE(0)).toString()} ${key.toString('base64')}`;

describe('matchHostList (OpenSSH match_hostname)', () => {
  it.each([
    ['f4', ['f4'], true],
    ['F4', ['f4'], true],
    ['f4', ['f5', 'f4'], true],
    ['f4', ['f*'], true],
    ['f44', ['f?'], false],
    ['f4', ['f?'], true],
    ['f4', ['*', '!f4'], false],
    ['f4', ['!f5'], false],
    ['f5', ['f*', '!f4'], true],
    ['[10.0.0.4]:2222', ['[10.0.0.*]:2222'], true],
    ['[10.0.0.4]:2222', ['10.0.0.4'], false],
    ['10.0.0.4', ['10.0.0.4.example'], false],
    ['a.b', ['a?b'], true],
    ['axb', ['a.b'], false],
  ] as const)('%s against %j → %s', (name, patterns, expected) => {
    expect(matchHostList(name, patterns)).toBe(expected);
  });
});

describe('parseKnownHosts', () => {
  it('reads markers, lists, hashed hosts, comments and blank lines, and numbers lines like ssh-keygen -F', () => {
    const text = [
      '# comment',
      '',
      line('f4,10.0.0.4', ED_A),
      `   ${line('[f5]:2222', EC_C)} a comment`,
      line('*', ED_B, '@revoked'),
      line('*.example.org', EC_C, '@cert-authority'),
      line(hashHostName('f6'), ED_A),
      '\t# indented comment',
    ].join('\n');
    const { entries, invalid } = parseKnownHosts(text);
    expect(invalid).toEqual([]);
    expect(entries.map((e) => [e.line, e.marker, e.keyType])).toEqual([
      [3, undefined, 'ssh-ed25519'],
      [4, undefined, 'ecdsa-sha2-nistp256'],
      [5, 'revoked', 'ssh-ed25519'],
      [6, 'cert-authority', 'ecdsa-sha2-nistp256'],
      [7, undefined, 'ssh-ed25519'],
    ]);
    expect(entries[0]?.hosts).toEqual({ patterns: ['f4', '10.0.0.4'] });
    expect(entries[4]?.key.equals(ED_A)).toBe(true);
  });

  it.each([
    ['@bogus f4 ' + line('x', ED_A).split(' ').slice(1).join(' '), 'unknown marker'],
    ['f4 ssh-ed25519', 'expected'],
    ['f4', 'expected'],
    [`f4 ssh-rsa ${ED_A.toString('base64')}`, 'not a valid ssh-rsa key'],
    [`|1|c2FsdA==|aGFzaA== ssh-ed25519 ${ED_A.toString('base64')}`, 'malformed hashed host'],
  ])('skips a bad line and says why: %s', (text, reason) => {
    const { entries, invalid } = parseKnownHosts(`${text}\n${line('ok', ED_A)}`);
    expect(entries.map((e) => e.line)).toEqual([2]);
    expect(invalid[0]?.line).toBe(1);
    expect(invalid[0]?.reason).toContain(reason);
  });
});

describe('checkHostKey (OpenSSH 9 semantics)', () => {
  const file = (...lines: string[]) => parseKnownHosts(lines.join('\n')).entries;
  it.each([
    ['same key', file(line('f4', ED_A)), 'f4', 22, ED_A, { status: 'match', line: 1 }],
    ['port 22 is written without brackets', file(line('[f4]:22', ED_A)), 'f4', 22, ED_A, { status: 'unknown', caLines: [] }],
    ['[host]:port form', file(line('[f4]:2222', ED_A)), 'f4', 2222, ED_A, { status: 'match', line: 1 }],
    ['plain name does not cover other ports', file(line('f4', ED_A)), 'f4', 2222, ED_A, { status: 'unknown', caLines: [] }],
    ['hashed [host]:port', file(line(hashHostName('[f4]:2222'), ED_A)), 'f4', 2222, ED_A, { status: 'match', line: 1 }],
    ['hashed, other host', file(line(hashHostName('f5'), ED_A)), 'f4', 22, ED_A, { status: 'unknown', caLines: [] }],
    ['other key, same type', file(line('f4', ED_B)), 'f4', 22, ED_A, { status: 'changed', line: 1, keyType: 'ssh-ed25519' }],
    ['only another type known → changed, as ssh does', file(line('f4', EC_C)), 'f4', 22, ED_A, { status: 'changed', line: 1, keyType: 'ecdsa-sha2-nistp256' }],
    ['several keys per host, one matches', file(line('f4', EC_C), line('f4', ED_B), line('f4', ED_A)), 'f4', 22, ED_A, { status: 'match', line: 3 }],
    ['changed names the same-type line', file(line('f4', EC_C), line('f4', ED_B)), 'f4', 22, ED_A, { status: 'changed', line: 2, keyType: 'ssh-ed25519' }],
    ['revoked wins over a match', file(line('f4', ED_A), line('*', ED_A, '@revoked')), 'f4', 22, ED_A, { status: 'revoked', line: 2 }],
    ['revoked for another host only', file(line('f4', ED_A), line('f5', ED_A, '@revoked')), 'f4', 22, ED_A, { status: 'match', line: 1 }],
    ['negated pattern vetoes', file(line('f*,!f4', ED_A)), 'f4', 22, ED_A, { status: 'unknown', caLines: [] }],
    ['wildcard covers', file(line('f*', ED_A)), 'f4', 22, ED_A, { status: 'match', line: 1 }],
    ['cert-authority is not a host key', file(line('*', ED_A, '@cert-authority')), 'f4', 22, ED_A, { status: 'unknown', caLines: [1] }],
    ['empty file', [], 'f4', 22, ED_A, { status: 'unknown', caLines: [] }],
  ] as const)('%s', (_name, entries, host, port, key, expected) => {
    expect(checkHostKey(entries, host, port, 'ssh-ed25519', key)).toEqual(expected);
  });

  it('lists the key types known for a host, for algorithm ordering', () => {
    const entries = file(line('f4', EC_C), line('f4', ED_A), line('f4', ED_B), line('f5', ED_A), line('*', ED_A, '@revoked'));
    expect(knownKeyTypes(entries, 'f4', 22)).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519']);
    expect(knownKeyTypes(entries, 'f6', 22)).toEqual([]);
  });
});
