import { XMLParser, XMLValidator } from 'fast-xml-parser';

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

export type XmlParseResult = { readonly ok: true; readonly root: XmlElement } | { readonly ok: false; readonly problem: string };

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
});

/** Parses XML text into an element tree; malformed input gives one problem with line and column. */
export function parseXml(text: string): XmlParseResult {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { line, col, msg } = valid.err;
    const where = col === undefined ? `line ${line}` : `line ${line}, column ${col}`;
    return { ok: false, problem: `malformed XML at ${where}: ${msg}` };
  }
  let nodes: unknown;
  try {
    nodes = parser.parse(text);
  } catch (err) {
    return { ok: false, problem: `malformed XML: ${err instanceof Error ? err.message : String(err)}` };
  }
  const roots = toElements(nodes).elements;
  const [root, ...extra] = roots;
  if (!root) return { ok: false, problem: 'malformed XML: no root element' };
  if (extra.length > 0) return { ok: false, problem: `malformed XML: more than one root element (<${roots.map((r) => r.name).join('>, <')}>)` };
  return { ok: true, root };
}

function toElements(nodes: unknown): { elements: XmlElement[]; text: string[] } {
  const elements: XmlElement[] = [];
  const text: string[] = [];
  const seen = new Map<string, number>();
  for (const node of Array.isArray(nodes) ? nodes : []) {
    if (!isRecord(node)) continue;
    for (const [key, value] of Object.entries(node)) {
      if (key === ATTRIBUTES) continue;
      if (key === TEXT) {
        const chunk = String(value).trim();
        if (chunk !== '') text.push(chunk);
        continue;
      }
      const position = (seen.get(key) ?? 0) + 1;
      seen.set(key, position);
      const inner = toElements(value);
      elements.push({ name: key, attributes: toAttributes(node[ATTRIBUTES]), children: inner.elements, text: inner.text, position });
    }
  }
  return { elements, text };
}

function toAttributes(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, attr]) => [key, String(attr)]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
