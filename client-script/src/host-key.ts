import { readFileSync } from 'fs';
import { keysFailure } from './failure.js';
import type { HostKeyFile } from './protocol.js';

/** The keys of a host key file, decoded: what sealing needs. */
export interface DecodedKeys {
  readonly secretKey: Uint8Array;
  readonly pollerPublicKey: Uint8Array;
  /** The precomputed nacl.box.before of the two; undefined in files placed before it existed. */
  readonly sharedKey: Uint8Array | undefined;
}

// nacl.box keys, public, secret and shared alike, are 32 bytes.
const KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HINT = 'place it again with "metrix upload"';

function decodeKey(value: unknown, field: keyof HostKeyFile, source: string): Uint8Array {
  const bytes = typeof value === 'string' && BASE64.test(value) ? Buffer.from(value, 'base64') : undefined;
  if (bytes === undefined || bytes.length !== KEY_BYTES) {
    throw keysFailure(`key file ${source}: "${field}" must be the base64 of a ${KEY_BYTES}-byte key; ${HINT}`);
  }
  return new Uint8Array(bytes);
}

/** Decodes the keys, or throws a keys failure naming `source` (the file) and the field. */
export function decodeHostKeys(file: HostKeyFile, source: string): DecodedKeys {
  return {
    secretKey: decodeKey(file.secretKey, 'secretKey', source),
    pollerPublicKey: decodeKey(file.pollerPublicKey, 'pollerPublicKey', source),
    sharedKey: file.sharedKey === undefined ? undefined : decodeKey(file.sharedKey, 'sharedKey', source),
  };
}

/** Checks the text of a key file; every failure names the file and what is wrong. */
export function parseHostKey(text: string, path: string): HostKeyFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw keysFailure(`key file ${path} is not valid JSON; ${HINT}`);
  }
  const file = json as Partial<Record<keyof HostKeyFile, unknown>> | null;
  if (typeof file !== 'object' || file === null || Array.isArray(file)) throw keysFailure(`key file ${path} does not hold a JSON object; ${HINT}`);
  if (file.v !== 1) throw keysFailure(`key file ${path} has version ${JSON.stringify(file.v)}, this collector reads version 1; ${HINT}`);
  if (typeof file.host !== 'string' || file.host === '') throw keysFailure(`key file ${path} names no host; ${HINT}`);
  const checked = file as HostKeyFile;
  decodeHostKeys(checked, path);
  const keys = { v: 1, host: checked.host, secretKey: checked.secretKey, pollerPublicKey: checked.pollerPublicKey } as const;
  return checked.sharedKey === undefined ? keys : { ...keys, sharedKey: checked.sharedKey };
}

export function readHostKey(path: string): HostKeyFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw keysFailure(`key file ${path} not found; ${HINT}`);
    throw keysFailure(`cannot read key file ${path} (${code || String(err)})`);
  }
  return parseHostKey(text, path);
}
