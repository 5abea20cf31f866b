import nacl from 'tweetnacl';
import { decodeHostKeys } from './host-key.js';
import { SEAL_TAG, type HostKeyFile, type Report } from './protocol.js';

/**
 * The one line the collector prints: SEAL_TAG, then nonce and box in base64, space-separated.
 * The box proves the host made it (its secret key) and only the poller can open it.
 */
export function sealReport(report: Report, keyFile: HostKeyFile): string {
  const keys = decodeHostKeys(keyFile, `of host "${keyFile.host}"`);
  const nonce = nacl.randomBytes(nacl.box.nonceLength);
  const message = new Uint8Array(Buffer.from(JSON.stringify(report), 'utf8'));
  const box = nacl.box(message, nonce, keys.pollerPublicKey, keys.secretKey);
  return `${SEAL_TAG} ${Buffer.from(nonce).toString('base64')} ${Buffer.from(box).toString('base64')}\n`;
}
