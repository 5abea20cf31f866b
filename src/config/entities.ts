// fast-xml-parser silently drops character references it dislikes (`name="a&#0;"` became
// "a"), keeps others raw (`&#10;`), and leaves unknown entities as written. Config values end
// up in names, commands and mail headers, so metrix decodes the five XML entities and
// character references itself and refuses what no config value needs: control characters.

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

const REFERENCE = /&(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9._-]*);/g;

/**
 * Literal control characters XML 1.0 forbids, plus DEL and the C1 block, which no config
 * value needs. Tab, line feed and carriage return are allowed in the file itself.
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_LITERAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

export type Decoded = { readonly value: string } | { readonly error: string };

const hex = (code: number): string => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why a code point may not come from a character reference in a config value, if it may not. */
function codePointProblem(code: number): string | undefined {
  if (code > 0x10ffff) return 'beyond Unicode';
  if (code >= 0xd800 && code <= 0xdfff) return 'a lone surrogate, not a character';
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return 'a control character, not allowed in config values';
  if (code === 0xfffe || code === 0xffff) return 'not a character';
  return undefined;
}

/**
 * An attribute value as written between the quotes, decoded: references resolved, tabs and
 * line breaks written literally read as spaces (XML's attribute-value normalisation).
 */
export function decodeAttribute(raw: string): Decoded {
  let error: string | undefined;
  const value = raw.replace(/[\t\n\r]/g, ' ').replace(REFERENCE, (whole, body: string) => {
    if (!body.startsWith('#')) {
      const named = NAMED[body];
      if (named === undefined) error ??= `unknown entity ${whole} (XML knows &lt; &gt; &amp; &quot; &apos;)`;
      return named ?? whole;
    }
    const code = body.startsWith('#x') ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    const problem = codePointProblem(code);
    if (problem) {
      error ??= `character reference ${whole} is ${code > 0x10ffff ? 'a number' : hex(code)}, ${problem}`;
      return '';
    }
    return String.fromCodePoint(code);
  });
  return error === undefined ? { value } : { error };
}

/** Element text, decoded as well as it can be: it is only ever shown in a message. */
export function decodeText(raw: string): string {
  const decoded = decodeAttribute(raw);
  return 'value' in decoded ? decoded.value : raw;
}

/** Line and column (1-based) and code of the first literal control character in the file, if any. */
export function findControlCharacter(text: string): { line: number; column: number; code: string } | undefined {
  const match = FORBIDDEN_LITERAL.exec(text);
  if (!match) return undefined;
  const before = text.slice(0, match.index);
  const line = before.split('\n').length;
  return { line, column: match.index - before.lastIndexOf('\n'), code: hex(match[0].charCodeAt(0)) };
}
