import nacl from 'tweetnacl';
import { REPORT_VERSION, SEAL_TAG, type Report, type Sample } from '../../client-script/src/protocol.js';
import { fail, ok, type Outcome } from '../result.js';

export interface OpenExpectations {
  readonly host: string;
  readonly challenge: string;
  readonly hostPublicKey: Uint8Array;
  readonly pollerSecretKey: Uint8Array;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PREVIEW = 40;
const METRIC_NAME = /^[a-z][a-z0-9_]{0,63}$/;

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
 * Opens and verifies a collector's stdout. Every way it can be wrong comes back as a
 * 'bad-output' failure with its own reason; nothing here throws for a host's output.
 */
export function openSealed(stdout: string, expect: OpenExpectations): Outcome<Report> {
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
  const opened = nacl.box.open(box, nonce, expect.hostPublicKey, expect.pollerSecretKey);
  if (!opened) return bad(`sealed output does not open with the keys of host "${expect.host}": tampered in transit, or made with another host's key`);
  let report: unknown;
  try {
    report = JSON.parse(Buffer.from(opened).toString('utf8'));
  } catch {
    return bad('sealed payload is not JSON');
  }
  return checkReport(report, expect);
}

function checkReport(value: unknown, expect: OpenExpectations): Outcome<Report> {
  const report = value as Partial<Report> | null;
  if (typeof report !== 'object' || report === null) return bad('sealed payload is not an object');
  if (report.v !== REPORT_VERSION) return bad(`report version ${String(report.v)} is not ${REPORT_VERSION}: upload a matching collector`);
  if (report.host !== expect.host) return bad(`report names host "${String(report.host)}", expected "${expect.host}"`);
  if (report.challenge !== expect.challenge) return bad('report carries a stale or foreign challenge: a replayed output, not this run\'s');
  if (typeof report.ts !== 'number' || !Number.isFinite(report.ts)) return bad('report has no valid timestamp');
  const samples = [report.gauges, report.counters, report.baseline?.counters].filter((list) => list !== undefined);
  for (const list of samples) {
    if (!Array.isArray(list)) return bad('report samples are not a list');
    const broken = list.find((sample) => !isSample(sample));
    if (broken !== undefined) return bad(`report has a malformed sample: ${preview(JSON.stringify(broken))}`);
  }
  if (!Array.isArray(report.errors)) return bad('report errors are not a list');
  return ok(report as Report);
}

function isSample(value: unknown): value is Sample {
  const sample = value as Partial<Sample> | null;
  if (typeof sample !== 'object' || sample === null) return false;
  if (typeof sample.m !== 'string' || !METRIC_NAME.test(sample.m) || typeof sample.v !== 'number' || !Number.isFinite(sample.v)) return false;
  if (sample.l === undefined) return true;
  return typeof sample.l === 'object' && sample.l !== null && Object.values(sample.l).every((v) => typeof v === 'string');
}
