// Text from a host (collector stderr, error messages inside a report) or from a user (silence
// comments) ends up in log lines and on terminals. A newline in it would forge a log line of
// its own ("\n2026-… INFO [h2] ok"), an ESC would drive the terminal, a bidi override would
// reorder what the reader sees. Each such character is shown as an escape instead.

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * C0 controls, DEL, C1 controls, the Unicode line and paragraph separators, and the bidi
 * marks, embeddings, overrides and isolates (U+200E–200F, U+202A–202E, U+2066–2069): the one
 * list of characters that host or user text may not bring to a log, a terminal, a mail or a label.
 */
export const UNSAFE_CHAR_CLASS = '[\\u0000-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]';
const UNSAFE = new RegExp(UNSAFE_CHAR_CLASS, 'g');
const ANY_UNSAFE = new RegExp(UNSAFE_CHAR_CLASS);

/** Whether the text holds any character of UNSAFE_CHAR_CLASS. */
export const hasUnsafeChars = (text: string): boolean => ANY_UNSAFE.test(text);

const hex = (code: number, digits: number): string => code.toString(16).padStart(digits, '0');

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
}

/**
 * The text with every control or reordering character written as `\n`, `\x1b`, `\u2028`…,
 * so it prints as one inert line. Backslashes are left alone: messages stay readable, and a
 * literal "\n" typed by a host still cannot break the line.
 */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}
