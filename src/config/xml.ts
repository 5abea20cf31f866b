import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { decodeAttribute, decodeText, findControlCharacter } from './entities.js';

/** One element of the parsed document: attributes as written (strings), child elements in order. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Non-blank text directly inside the element (comments are dropped). */
  readonly text: readonly string[];
  /** 1-based position among same-named siblings, for naming elements that have no name. */
  readonly position: number;
}

export type XmlParseResult = { readonly ok: true; readonly root: XmlElement } | { readonly ok: false; readonly problems: readonly string[] };

const ATTRIBUTES = ':@';
const TEXT = '#text';

// preserveOrder keeps repeated and unknown elements visible to the shape check, in document order.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  // References are decoded by entities.ts, which refuses what this parser would drop silently.
  processEntities: false,
});

/**
 * Parses XML text into an element tree; malformed input gives one problem with line and
 * column, bad references one problem per attribute.
 */
export function parseXml(text: string): XmlParseResult {
  const control = findControlCharacter(text);
  if (control) {
    return { ok: false, problems: [`control character ${control.code} at line ${control.line}, column ${control.column} (not allowed in a config file)`] };
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { line, col, msg } = valid.err;
    const where = col === undefined ? `line ${line}` : `line ${line}, column ${col}`;
    return { ok: false, problems: [`malformed XML at ${where}: ${msg}`] };
  }
  let nodes: unknown;
  try {
    nodes = parser.parse(text);
  } catch (err) {
    return { ok: false, problems: [`malformed XML: ${err instanceof Error ? err.message : String(err)}`] };
  }
  const problems: string[] = [];
  const roots = toElements(nodes, problems).elements;
  if (problems.length > 0) return { ok: false, problems };
  const [root, ...extra] = roots;
  if (!root) return { ok: false, problems: ['malformed XML: no root element'] };
  if (extra.length > 0) return { ok: false, problems: [`malformed XML: more than one root element (<${roots.map((r) => r.name).join('>, <')}>)`] };
  return { ok: true, root };
}

function toElements(nodes: unknown, problems: string[]): { elements: XmlElement[]; text: string[] } {
  const elements: XmlElement[] = [];
  const text: string[] = [];
  const seen = new Map<string, number>();
  for (const node of Array.isArray(nodes) ? nodes : []) {
    if (!isRecord(node)) continue;
    for (const [key, value] of Object.entries(node)) {
      if (key === ATTRIBUTES) continue;
      if (key === TEXT) {
        const chunk = decodeText(String(value)).trim();
        if (chunk !== '') text.push(chunk);
        continue;
      }
      const position = (seen.get(key) ?? 0) + 1;
      seen.set(key, position);
      const inner = toElements(value, problems);
      elements.push({ name: key, attributes: toAttributes(key, node[ATTRIBUTES], problems), children: inner.elements, text: inner.text, position });
    }
  }
  return { elements, text };
}

function toAttributes(element: string, value: unknown, problems: string[]): Record<string, string> {
  if (!isRecord(value)) return {};
  const raw = Object.fromEntries(Object.entries(value).map(([key, attr]) => [key, String(attr)]));
  const where = raw.name === undefined ? `<${element}>` : `<${element} name="${raw.name}">`;
  const attributes: Record<string, string> = {};
  for (const [key, text] of Object.entries(raw)) {
    const decoded = decodeAttribute(text);
    if ('error' in decoded) problems.push(`${where} ${key}="${text}": ${decoded.error}`);
    else attributes[key] = decoded.value;
  }
  return attributes;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
