import nacl from 'tweetnacl';
import { decodeHostKeys } from './host-key.js';
import { SEAL_TAG, type HostKeyFile, type Report } from './protocol.js';

export type Sealer = (report: Report) => string;

/**
 * Seals reports with one host key file: the one line the collector prints, SEAL_TAG, then
 * nonce and box in base64, space-separated. The box proves the host made it (its secret key)
 * and only the poller can open it. The Curve25519 shared key comes from the key file when the
 * poller put it there; otherwise it is computed once per sealer, so a resident collector pays
 * the scalar multiplication once, not on every poll.
 *
 * A shared key from the file is used unchecked: checking it costs the very scalar
 * multiplication it saves (~25 ms of CPU in a fresh Node). A wrong one cannot be used to lie:
 * its reports simply do not open at the poller, which stores nothing from them and names the
 * cause ("sealed output does not open with the keys of host ..."); "metrix upload" places a
 * correct file again.
 */
export function createSealer(keyFile: HostKeyFile): Sealer {
  const keys = decodeHostKeys(keyFile, `of host "${keyFile.host}"`);
  let shared = keys.sharedKey;
  return (report) => {
    if (shared === undefined) shared = nacl.box.before(keys.pollerPublicKey, keys.secretKey);
    const nonce = nacl.randomBytes(nacl.box.nonceLength);
    const message = new Uint8Array(Buffer.from(JSON.stringify(report), 'utf8'));
    const box = nacl.box.after(message, nonce, shared);
    return `${SEAL_TAG} ${Buffer.from(nonce).toString('base64')} ${Buffer.from(box).toString('base64')}\n`;
  };
}

/** Seals one report (a one-shot collector run). */
export function sealReport(report: Report, keyFile: HostKeyFile): string {
  return createSealer(keyFile)(report);
}
