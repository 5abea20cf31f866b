import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { SEAL_TAG, type HostKeyFile, type Report } from '../../client-script/src/protocol.js';
import { sealReport } from '../../client-script/src/seal.js';
import { boxKey, openSealed } from '../../src/crypto/sealed.js';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const poller = nacl.box.keyPair();
const f4 = nacl.box.keyPair();
const f5 = nacl.box.keyPair();
const keyFile = (host: string, pair: nacl.BoxKeyPair): HostKeyFile => ({ v: 1, host, secretKey: b64(pair.secretKey), pollerPublicKey: b64(poller.publicKey) });

const report = (overrides: Partial<Report> = {}): Report => ({
  v: 1,
  host: 'f4',
  challenge: 'challenge-1',
  ts: 1_700_000_000_000,
  collector: 'test',
  gauges: [{ m: 'load1', v: 0.5 }, { m: 'disk_used_percent', v: 41.5, l: { mount: '/' } }],
  counters: [{ m: 'cpu_total_jiffies', v: 1000 }],
  errors: [],
  ...overrides,
});

const expectations = { host: 'f4', challenge: 'challenge-1', sharedKey: boxKey(f4.publicKey, poller.secretKey) };
const sealed = (r: Report = report(), pair = f4, host = 'f4'): string => sealReport(r, keyFile(host, pair));

function flipByte(line: string): string {
  const [tag, nonce, box] = line.trim().split(' ');
  const bytes = Buffer.from(box!, 'base64');
  bytes[10] = bytes[10]! ^ 0x01;
  return `${tag} ${nonce} ${bytes.toString('base64')}`;
}

describe('openSealed', () => {
  it('never throws on an authentic payload whose fields are objects with their own toString', () => {
    const hostile = { ...report(), v: { toString: 1 }, host: { toString: () => { throw new Error('boom'); } } } as unknown as Report;
    const opened = openSealed(sealed(hostile), expectations);
    expect(opened.ok ? 'opened' : `${opened.failure.reason}: ${opened.failure.message}`).toMatch(/^bad-output: report version "object" is not 1/);
  });

  it('opens a line sealed by the host for this run', () => {
    const opened = openSealed(sealed(), expectations);
    expect(opened).toEqual({ ok: true, value: report() });
  });

  it("opens with the key made from the host's secret and the poller's public key, as the poller makes it", () => {
    expect(openSealed(sealed(), { ...expectations, sharedKey: boxKey(poller.publicKey, f4.secretKey) })).toEqual({ ok: true, value: report() });
  });

  it.each([
    ['an empty output', () => '', /empty output/],
    ['garbage', () => 'Traceback (most recent call last):\n', /not sealed metrix output: "Traceback/],
    ['a future format', () => sealed().replace(SEAL_TAG, 'metrix-sealed-v9'), /unsupported format "metrix-sealed-v9".*metrix upload -h f4/],
    ['a truncated line', () => sealed().slice(0, 60), /truncated output: 60 bytes with no end of line/],
    ['a line cut after the nonce', () => `${sealed().split(' ').slice(0, 2).join(' ')}\n`, /expected "metrix-sealed-v1 <nonce> <box>"/],
    ['a box that is not base64', () => `${sealed().split(' ').slice(0, 2).join(' ')} %%%\n`, /truncated or not base64/],
    ['a tampered byte', () => `${flipByte(sealed())}\n`, /does not open with the keys of host "f4"/],
    ["another host's key", () => sealed(report(), f5), /does not open with the keys of host "f4"/],
    ['a report naming another host', () => sealed(report({ host: 'f5' })), /names host "f5", expected "f4"/],
    ['a replayed challenge', () => sealed(report({ challenge: 'challenge-0' })), /stale or foreign challenge/],
    ['two lines', () => `${sealed()}\n${sealed()}`, /expected one line/],
    ['a payload that is a list', () => sealReport([] as unknown as Report, keyFile('f4', f4)), /sealed payload is not an object/],
  ])('rejects %s with its own reason', (_name, make, reason) => {
    const opened = openSealed(make(), expectations);
    expect(opened.ok).toBe(false);
    if (!opened.ok) {
      expect(opened.failure.reason).toBe('bad-output');
      expect(opened.failure.message).toMatch(reason);
    }
  });
});
