import { ELEMENTS, ROOT_ELEMENT, type ElementSpec } from './schema.js';
import { didYouMean } from './suggest.js';
import type { XmlElement } from './xml.js';

const SHOWN_LENGTH = 60;

/** A value as shown in a message: cut short when long, so one bad value cannot flood the terminal. */
export function shownValue(raw: string): string {
  return raw.length <= SHOWN_LENGTH ? raw : `${raw.slice(0, SHOWN_LENGTH)}... (${raw.length} characters)`;
}

/** How an element is named in messages: `<host name="f4">`, `<host #3>` when it has no name, `<settings>`. */
export function describeElement(element: XmlElement): string {
  const named = ELEMENTS[element.name]?.attributes.name !== undefined;
  if (!named) return `<${element.name}>`;
  const name = element.attributes.name;
  return name === undefined || name.trim() === '' ? `<${element.name} #${element.position}>` : `<${element.name} name="${shownValue(name)}">`;
}

/**
 * Checks the document against the element table: root, unknown or repeated elements,
 * unknown or missing attributes, stray text. Attribute values are checked later, by kind.
 */
export function checkShape(root: XmlElement): string[] {
  if (root.name !== ROOT_ELEMENT) {
    return [`root element is <${root.name}>, expected <${ROOT_ELEMENT}>`];
  }
  const problems: string[] = [];
  checkElement(root, problems);
  return problems;
}

function checkElement(element: XmlElement, problems: string[]): void {
  const spec = ELEMENTS[element.name];
  if (!spec) return;
  const where = describeElement(element);
  checkAttributes(element, spec, where, problems);
  checkText(element, spec, where, problems);
  const allowedChildren = Object.keys(spec.children);
  const counts = new Map<string, number>();
  for (const child of element.children) {
    const repeat = spec.children[child.name];
    if (repeat === undefined) {
      const allowed = allowedChildren.length === 0
        ? 'this element takes no child elements'
        : `allowed: ${allowedChildren.join(', ')}${didYouMean(child.name, allowedChildren, (s) => `<${s}>`)}`;
      problems.push(`${where} unknown element <${child.name}> (${allowed})`);
      continue;
    }
    counts.set(child.name, (counts.get(child.name) ?? 0) + 1);
    checkElement(child, problems);
  }
  for (const [name, count] of counts) {
    if (count > 1 && spec.children[name] === 'once') {
      problems.push(`${where} element <${name}> may appear only once (found ${count})`);
    }
  }
}

function checkAttributes(element: XmlElement, spec: ElementSpec, where: string, problems: string[]): void {
  const allowed = Object.keys(spec.attributes);
  for (const name of Object.keys(element.attributes)) {
    if (spec.attributes[name] !== undefined) continue;
    const hint = allowed.length === 0 ? 'this element takes no attributes' : `allowed: ${allowed.join(', ')}${didYouMean(name, allowed)}`;
    problems.push(`${where} unknown attribute "${name}" (${hint})`);
  }
  for (const name of spec.required) {
    if (element.attributes[name] === undefined) problems.push(`${where} missing required attribute "${name}"`);
  }
}

function checkText(element: XmlElement, spec: ElementSpec, where: string, problems: string[]): void {
  if (element.text.length === 0) return;
  const text = element.text.join(' ');
  const shown = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  const holds = Object.keys(spec.children).length === 0 ? 'takes attributes only' : 'holds only child elements';
  problems.push(`${where} unexpected text "${shown}" (this element ${holds}; write comments as <!-- ... -->)`);
}
