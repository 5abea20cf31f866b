// A config saved by a Windows editor is often UTF-16, whose NUL bytes and BOM would otherwise
// surface as a puzzling "malformed XML at line 1, column 1".

const BOMS: readonly (readonly [readonly number[], string])[] = [
  // UTF-32 first: its little-endian BOM begins with UTF-16's.
  [[0xff, 0xfe, 0x00, 0x00], 'UTF-32 (little-endian)'],
  [[0x00, 0x00, 0xfe, 0xff], 'UTF-32 (big-endian)'],
  [[0xff, 0xfe], 'UTF-16 (little-endian)'],
  [[0xfe, 0xff], 'UTF-16 (big-endian)'],
];
const UTF8_BOM = [0xef, 0xbb, 0xbf];

const startsWith = (bytes: Uint8Array, prefix: readonly number[]): boolean => prefix.every((byte, i) => bytes[i] === byte);

export type DecodedFile = { readonly text: string } | { readonly problem: string };

/**
 * The config file's bytes as text: UTF-8, with or without a BOM. Any other encoding is
 * named in the problem, with what to do; `name` is how the file is called in it.
 */
export function decodeConfigBytes(bytes: Uint8Array, name: string): DecodedFile {
  const bom = BOMS.find(([prefix]) => startsWith(bytes, prefix));
  if (bom) return { problem: `${name} is ${bom[1]}; save it as UTF-8` };
  const body = startsWith(bytes, UTF8_BOM) ? bytes.subarray(UTF8_BOM.length) : bytes;
  const nul = body.indexOf(0);
  if (nul >= 0) {
    const guess = nul % 2 === 0 ? 'UTF-16 (big-endian)' : 'UTF-16 (little-endian)';
    return { problem: `${name} holds NUL bytes (from byte ${nul}): probably ${guess} without a BOM; save it as UTF-8` };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body) };
  } catch {
    return { problem: `${name} is not valid UTF-8 (${invalidAt(body)}); save it as UTF-8` };
  }
}

/** Where the first invalid UTF-8 sequence starts, for the message. */
function invalidAt(bytes: Uint8Array): string {
  let low = 0;
  let high = bytes.length;
  // The longest prefix without an invalid sequence, by bisection: the decoder only says yes
  // or no. In streaming mode a sequence cut off at the end of a prefix is not an error.
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      low = mid;
    } catch {
      high = mid;
    }
  }
  // `low` may sit inside a sequence that was only cut off; step back to where it starts.
  let start = low;
  while (start > 0 && ((bytes[start - 1] ?? 0) & 0xc0) === 0x80) start -= 1;
  if (start > 0 && (bytes[start - 1] ?? 0) >= 0xc0) start -= 1;
  return `bad byte at offset ${start}`;
}
