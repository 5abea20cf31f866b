import nacl from 'tweetnacl';
import { REPORT_VERSION, SEAL_TAG } from '../../client-script/src/protocol.js';
import { fail, ok, type Outcome } from '../result.js';

export interface OpenExpectations {
  readonly host: string;
  readonly challenge: string;
  /** The host's and the poller's box key, from `boxKey`. */
  readonly sharedKey: Uint8Array;
}

/**
 * The key a host and the poller share (nacl.box.before). Diffie-Hellman is symmetric, so the
 * poller, which keeps every host's secret key, computes it from the host's secret key and its
 * own public key without deriving the host's public key: one scalar multiplication, not two.
 */
export const boxKey = (publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array => nacl.box.before(publicKey, secretKey);

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PREVIEW = 40;

const bad = (why: string): Outcome<never> => fail('bad-output', why);

function preview(text: string): string {
  const shown = JSON.stringify(text.slice(0, PREVIEW));
  return text.length > PREVIEW ? `${shown}… (${text.length} bytes)` : shown;
}

function decodeBase64(text: string, expectedLength?: number): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return expectedLength === undefined || bytes.length === expectedLength ? new Uint8Array(bytes) : undefined;
}

/**
 * Opens and verifies a collector's stdout: sealed by this host's key, for this run's
 * challenge. Every way it can be wrong comes back as a 'bad-output' failure with its own
 * reason; nothing here throws for a host's output. The report inside is checked by the poller.
 */
export function openSealed(stdout: string, expect: OpenExpectations): Outcome<SealedPayload> {
  const line = stdout.trim();
  if (line === '') return bad('empty output: the collector printed nothing');
  // The collector always ends its line; output without the end was cut short on the way.
  if (!stdout.endsWith('\n')) return bad(`truncated output: ${stdout.length} bytes with no end of line (connection cut or collector killed)`);
  if (line.includes('\n')) return bad(`expected one line of sealed output, got ${line.split('\n').length} lines starting ${preview(line)}`);
  const parts = line.split(' ');
  if (parts[0] !== SEAL_TAG) {
    return parts[0]?.startsWith('metrix-sealed-')
      ? bad(`unsupported format "${parts[0]}" (this poller reads ${SEAL_TAG}): upload a matching collector with "metrix upload -h ${expect.host}"`)
      : bad(`not sealed metrix output: ${preview(line)}`);
  }
  if (parts.length !== 3) return bad(`malformed sealed line: expected "${SEAL_TAG} <nonce> <box>", got ${parts.length} fields`);
  const nonce = decodeBase64(parts[1]!, nacl.box.nonceLength);
  const box = decodeBase64(parts[2]!);
  if (!nonce || !box || box.length < nacl.box.overheadLength) return bad('malformed sealed line: truncated or not base64');
  const opened = nacl.box.open.after(box, nonce, expect.sharedKey);
  if (!opened) return bad(`sealed output does not open with the keys of host "${expect.host}": tampered in transit, or made with another host's key`);
  let report: unknown;
  try {
    report = JSON.parse(Buffer.from(opened).toString('utf8'));
  } catch {
    return bad('sealed payload is not JSON');
  }
  return checkEnvelope(report, expect);
}

/** The opened payload, authentic and meant for this run; its content is still unchecked (see poll/validate-report). */
export type SealedPayload = Readonly<Record<string, unknown>>;

/** A field the host chose, as text that cannot throw (an object's own toString could). */
const scalar = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : value === null ? 'null' : typeof value);

function checkEnvelope(value: unknown, expect: OpenExpectations): Outcome<SealedPayload> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('sealed payload is not an object');
  const report = value as SealedPayload;
  if (report['v'] !== REPORT_VERSION) return bad(`report version ${preview(scalar(report['v']))} is not ${REPORT_VERSION}: upload a matching collector`);
  if (report['host'] !== expect.host) return bad(`report names host ${preview(scalar(report['host']))}, expected "${expect.host}"`);
  if (report['challenge'] !== expect.challenge) return bad('report carries a stale or foreign challenge: a replayed output, not this run\'s');
  return ok(report);
}
