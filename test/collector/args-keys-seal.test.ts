import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../client-script/src/args.js';
import { CollectorFailure } from '../../client-script/src/failure.js';
import { parseHostKey } from '../../client-script/src/host-key.js';
import { COLLECTOR_EXIT, SEAL_TAG, type HostKeyFile, type Report } from '../../client-script/src/protocol.js';
import { sealReport } from '../../client-script/src/seal.js';
import { boxKey, openSealed } from '../../src/crypto/sealed.js';
import { newKeys, openLine } from './helpers.js';

const DIR = '/opt/metrix';
const DEFAULTS = {
  challenge: 'abc',
  keyPath: '/opt/metrix/metrix-host.key',
  warmupMs: 0,
  procRoot: '/proc',
  sysRoot: '/sys',
  statfsTimeoutMs: 2000,
  deadlineMs: 0,
  idleMs: 0,
  statfsCmd: undefined,
  statePath: '/opt/metrix/metrix-state.json',
  print: false,
  serve: false,
  help: false,
  specOnStdin: false,
};

function failureOf(run: () => unknown): CollectorFailure {
  try {
    run();
  } catch (err) {
    if (err instanceof CollectorFailure) return err;
    throw err;
  }
  throw new Error('expected a CollectorFailure');
}

describe('parseArgs', () => {
  it.each([
    ['only a challenge', ['--challenge', 'abc'], {}],
    ['every option', ['--challenge', 'abc', '--key', '/k', '--warmup-ms', '300', '--proc-root', '/p', '--sys-root', '/s', '--statfs-timeout-ms', '500', '--statfs-cmd', '/bin/x'],
      { keyPath: '/k', statePath: '/metrix-state.json', warmupMs: 300, procRoot: '/p', sysRoot: '/s', statfsTimeoutMs: 500, statfsCmd: '/bin/x' }],
    ['--name=value form with padding', ['--challenge=ab+/cd==', '--warmup-ms=0'], { challenge: 'ab+/cd==' }],
    ['a base64url challenge', ['--challenge', 'a-b_c'], { challenge: 'a-b_c' }],
    ['a deadline', ['--challenge', 'abc', '--deadline-ms', '30000'], { deadlineMs: 30000 }],
    ['--print needs no challenge', ['--print'], { challenge: undefined, print: true }],
    ['--help needs no challenge', ['--help'], { challenge: undefined, help: true }],
    ['--serve takes challenges from stdin', ['--serve'], { challenge: undefined, serve: true }],
    ['--serve with an idle limit', ['--serve', '--idle-ms', '180000'], { challenge: undefined, serve: true, idleMs: 180000 }],
    ['the state file beside the key by default', ['--challenge', 'abc', '--key', '/k/h.key'], { keyPath: '/k/h.key', statePath: '/k/metrix-state.json' }],
    ['a state file of its own', ['--challenge', 'abc', '--state', '/var/tmp/s.json'], { statePath: '/var/tmp/s.json' }],
  ])('%s', (_name, argv, overrides) => {
    expect(parseArgs(argv, DIR)).toEqual({ ...DEFAULTS, ...overrides });
  });

  it.each([
    ['no challenge', [], /--challenge is required/],
    ['a challenge without value', ['--challenge'], /--challenge needs a value/],
    ['an empty challenge', ['--challenge='], /--challenge needs a value/],
    ['a challenge that is not base64', ['--challenge', 'a b!'], /--challenge must be base64/],
    ['an unknown option', ['--challenge', 'a', '--verbose'], /unknown argument "--verbose"/],
    ['a stray word', ['--challenge', 'a', 'extra'], /unknown argument "extra"/],
    ['a negative warm-up', ['--challenge', 'a', '--warmup-ms', '-1'], /--warmup-ms wants a whole number of milliseconds from 0 to 60000, got "-1"/],
    ['a huge warm-up', ['--challenge', 'a', '--warmup-ms', '600000'], /--warmup-ms wants/],
    ['a zero statfs timeout', ['--challenge', 'a', '--statfs-timeout-ms', '0'], /--statfs-timeout-ms wants .* from 1 to 60000/],
    ['a fractional timeout', ['--challenge', 'a', '--statfs-timeout-ms', '1.5'], /--statfs-timeout-ms wants/],
    ['a value for a flag', ['--print=yes'], /--print takes no value/],
    ['--serve with a challenge', ['--serve', '--challenge', 'a'], /--serve takes its challenges from stdin/],
    ['--serve with --print', ['--serve', '--print'], /--serve takes its challenges from stdin/],
  ])('rejects %s as a usage error', (_name, argv, message) => {
    const failure = failureOf(() => parseArgs(argv, DIR));
    expect(failure.message).toMatch(message);
    expect(failure.exitCode).toBe(COLLECTOR_EXIT.usage);
  });
});

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const KEY = b64(nacl.randomBytes(32));
const goodFile = { v: 1, host: 'f4', secretKey: KEY, pollerPublicKey: KEY };
const text = (overrides: object): string => JSON.stringify({ ...goodFile, ...overrides });

describe('parseHostKey', () => {
  it('accepts a well-formed key file', () => {
    expect(parseHostKey(text({}), '/k')).toEqual(goodFile);
  });

  it('keeps a precomputed shared key', () => {
    expect(parseHostKey(text({ sharedKey: KEY }), '/k')).toEqual({ ...goodFile, sharedKey: KEY });
  });

  // What lets a collector read a file from a newer poller; every collector so far parses this way.
  it('ignores fields it does not know', () => {
    expect(parseHostKey(text({ comment: 'from a newer metrix' }), '/k')).toEqual(goodFile);
  });

  it.each([
    ['not JSON', '{"v":1,', /key file \/k is not valid JSON/],
    ['an array', '[]', /key file \/k does not hold a JSON object/],
    ['another version', text({ v: 2 }), /key file \/k has version 2, this collector reads version 1/],
    ['no host', text({ host: '' }), /key file \/k names no host/],
    ['a short secret key', text({ secretKey: b64(nacl.randomBytes(31)) }), /key file \/k: "secretKey" must be the base64 of a 32-byte key/],
    ['a secret key that is not base64', text({ secretKey: '!'.repeat(44) }), /"secretKey" must be the base64/],
    ['no poller key', text({ pollerPublicKey: undefined }), /"pollerPublicKey" must be the base64/],
    ['a short shared key', text({ sharedKey: b64(nacl.randomBytes(16)) }), /key file \/k: "sharedKey" must be the base64 of a 32-byte key; place it again with "metrix upload"/],
    ['a shared key that is not base64', text({ sharedKey: `${KEY.slice(0, -2)}!=` }), /key file \/k: "sharedKey" must be the base64 of a 32-byte key/],
    ['a shared key that is null', text({ sharedKey: null }), /"sharedKey" must be the base64/],
    ['a shared key that is a number', text({ sharedKey: 32 }), /"sharedKey" must be the base64/],
  ])('rejects %s as a keys failure naming the file', (_name, content, message) => {
    const failure = failureOf(() => parseHostKey(content, '/k'));
    expect(failure.message).toMatch(message);
    expect(failure.exitCode).toBe(COLLECTOR_EXIT.keys);
  });
});

describe('sealReport', () => {
  const keys = newKeys();
  const keyFile: HostKeyFile = { v: 1, host: 'f4', secretKey: b64(keys.host.secretKey), pollerPublicKey: b64(keys.poller.publicKey) };
  const report: Report = { v: 1, host: 'f4', challenge: 'c1', ts: 1, collector: 'dev', gauges: [{ m: 'load1', v: 0.5 }], counters: [], errors: [] };

  it('makes one tagged line that only the poller can open, with a fresh nonce each time', () => {
    const line = sealReport(report, keyFile);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trimEnd().split('\n')).toHaveLength(1);
    expect(line.split(' ')[0]).toBe(SEAL_TAG);
    expect(openLine(line.trimEnd(), keys)).toEqual(report);
    expect(sealReport(report, keyFile).split(' ')[1]).not.toBe(line.split(' ')[1]);
    expect(() => openLine(line.trimEnd(), { ...keys, host: nacl.box.keyPair() })).toThrow(/does not open/);
  });

  const expectations = { host: 'f4', challenge: 'c1', sharedKey: boxKey(keys.poller.publicKey, keys.host.secretKey) };

  it('seals with the shared key the file carries, and the poller opens it', () => {
    const shared = nacl.box.before(keys.poller.publicKey, keys.host.secretKey);
    expect(openSealed(sealReport(report, { ...keyFile, sharedKey: b64(shared) }), expectations)).toEqual({ ok: true, value: report });
  });

  it('uses the shared key unchecked: a wrong one makes a line the poller cannot open', () => {
    const other = nacl.box.before(keys.poller.publicKey, nacl.box.keyPair().secretKey);
    const opened = openSealed(sealReport(report, { ...keyFile, sharedKey: b64(other) }), expectations);
    expect(opened).toEqual({ ok: false, failure: { reason: 'bad-output', message: expect.stringMatching(/^sealed output does not open with the keys of host "f4"/) } });
  });

  it('refuses a malformed shared key before sealing anything', () => {
    const failure = failureOf(() => sealReport(report, { ...keyFile, sharedKey: 'abc' }));
    expect(failure.message).toBe('key file of host "f4": "sharedKey" must be the base64 of a 32-byte key; place it again with "metrix upload"');
    expect(failure.exitCode).toBe(COLLECTOR_EXIT.keys);
  });
});
