import { parseLabelList } from '../metrics/labels.js';
import { checkDuration, DURATION_HELP, DURATION_RANGES, formatRange } from './duration.js';
import type { AttrSpec, AttrSpecs, Attrs } from './schema.js';
import { HOST_ADDRESS_HELP, hostAddressProblem } from './host-address.js';
import { HTTP_URL_HELP, httpUrlProblem, shownUrl } from './http-url.js';
import { remoteDirProblem } from './remote-dir.js';
import { describeElement, shownValue } from './shape.js';
import { parseSize, SIZE_HELP } from './size.js';
import { didYouMean } from './suggest.js';
import type { XmlElement } from './xml.js';

type Parsed = { readonly value: unknown } | { readonly error: string };

/** Names show up in log lines, mail subjects and table columns: short enough to read. */
export const MAX_NAME_LENGTH = 128;
const SAFE_NAME = new RegExp(`^[A-Za-z0-9._-]{1,${MAX_NAME_LENGTH}}$`);
const SAFE_NAME_HELP = `allowed: letters, digits, ".", "_", "-"; at most ${MAX_NAME_LENGTH} characters`;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
const INTEGER = /^[+-]?\d+$/;
// Loose on purpose: the SMTP server is the judge; this only catches plain slips.
const BARE_ADDRESS = /^[^\s@<>,"]+@[^\s@<>,"]+$/;
const NAMED_ADDRESS = /^[^<>@,"]*<([^\s@<>,"]+@[^\s@<>,"]+)>$/;

/**
 * Reads an element's known attributes by kind. Each bad value adds one problem naming the
 * element, the attribute, the value and what is allowed, and reads as undefined so the default applies.
 */
export function readAttributes<T extends AttrSpecs>(element: XmlElement | undefined, specs: T, problems: string[]): Attrs<T> {
  const values: Record<string, unknown> = {};
  if (!element) return values as Attrs<T>;
  for (const [name, spec] of Object.entries(specs)) {
    const raw = element.attributes[name];
    if (raw === undefined) continue;
    const parsed = raw.trim() === '' ? { error: `empty value (expected ${help(spec)})` } : parseValue(raw.trim(), spec);
    if ('error' in parsed) problems.push(`${describeElement(element)} ${name}="${shownValue(spec.kind === 'url' ? shownUrl(raw) : raw)}": ${parsed.error}`);
    else values[name] = parsed.value;
  }
  return values as Attrs<T>;
}

function help(spec: AttrSpec): string {
  switch (spec.kind) {
    case 'int': return `an integer ${spec.min}..${spec.max}`;
    case 'duration': return `${DURATION_HELP}; ${formatRange(spec.range ?? DURATION_RANGES.timeout)}`;
    case 'size': return SIZE_HELP;
    case 'bool': return 'true or false';
    case 'enum': return `one of: ${spec.values.join(', ')}`;
    case 'name': return 'a name of letters, digits, ".", "_", "-"';
    case 'host': return HOST_ADDRESS_HELP;
    case 'names': return 'a comma-separated list of names';
    case 'address': return 'an email address';
    case 'url': return HTTP_URL_HELP;
    case 'addresses': return 'a comma-separated list of email addresses';
    case 'labels': return 'name=value,name2=value2';
    case 'env-name': return 'an environment variable name';
    case 'remote-dir': return 'an absolute directory on the hosts';
    case 'path': return 'a file path';
    case 'number': return 'a number';
    case 'text': return 'a value';
  }
}

function parseValue(raw: string, spec: AttrSpec): Parsed {
  switch (spec.kind) {
    case 'text':
      return { value: raw };
    case 'path':
      return /^~[^/]/.test(raw) ? { error: 'only "~" and "~/..." are expanded (to the home directory of the user running metrix)' } : { value: raw };
    case 'remote-dir': {
      const problem = remoteDirProblem(raw);
      return problem === undefined ? { value: raw } : { error: problem };
    }
    case 'name':
      return SAFE_NAME.test(raw) ? { value: raw } : { error: `not a safe name (${SAFE_NAME_HELP})` };
    case 'host': {
      const problem = hostAddressProblem(raw);
      return problem === undefined ? { value: raw } : { error: problem };
    }
    case 'names':
      return parseList(raw, (item) => (SAFE_NAME.test(item) ? undefined : `"${item}" is not a safe name (${SAFE_NAME_HELP})`));
    case 'env-name':
      return ENV_NAME.test(raw) ? { value: raw } : { error: 'not an environment variable name (allowed: letters, digits and "_", not starting with a digit)' };
    case 'address':
      return isAddress(raw) ? { value: raw } : { error: 'not an email address (expected name@domain)' };
    case 'url': {
      const problem = httpUrlProblem(raw);
      return problem === undefined ? { value: new URL(raw).href } : { error: problem };
    }
    case 'addresses':
      return parseList(raw, (item) => (isAddress(item) ? undefined : `"${item}" is not an email address (expected name@domain)`));
    case 'labels':
      return parseLabels(raw);
    case 'int': {
      const range = `allowed: ${spec.min}..${spec.max}`;
      if (!INTEGER.test(raw)) return { error: `not an integer (${range})` };
      const value = Number(raw);
      return value >= spec.min && value <= spec.max ? { value } : { error: `out of range (${range})` };
    }
    case 'number':
      return NUMBER.test(raw) && Number.isFinite(Number(raw)) ? { value: Number(raw) } : { error: 'not a number' };
    case 'duration':
      return checkDuration(raw, spec.range ?? DURATION_RANGES.timeout);
    case 'size': {
      const value = parseSize(raw);
      if (value === undefined) return { error: `not a size (expected ${SIZE_HELP})` };
      return value > 0 ? { value } : { error: `must be more than 0 (expected ${SIZE_HELP})` };
    }
    case 'bool':
      return raw === 'true' || raw === 'false' ? { value: raw === 'true' } : { error: 'not allowed (allowed: true, false)' };
    case 'enum':
      return spec.values.includes(raw) ? { value: raw } : { error: `not allowed (allowed: ${spec.values.join(', ')}${didYouMean(raw, spec.values)})` };
  }
}

function parseList(raw: string, check: (item: string) => string | undefined): Parsed {
  const items = [...new Set(raw.split(',').map((item) => item.trim()).filter((item) => item !== ''))];
  if (items.length === 0) return { error: 'empty list' };
  const errors = items.map(check).filter((error) => error !== undefined);
  return errors.length > 0 ? { error: errors.join('; ') } : { value: items };
}

function parseLabels(raw: string): Parsed {
  const labels = parseLabelList(raw);
  if (labels === undefined) return { error: 'not a label list (expected name=value,name2=value2)' };
  const empty = Object.entries(labels).find(([, value]) => value === '');
  if (empty) return { error: `label "${empty[0]}" has no value (expected name=value)` };
  return Object.keys(labels).length === 0 ? { error: 'empty list' } : { value: labels };
}

function isAddress(text: string): boolean {
  return BARE_ADDRESS.test(text) || NAMED_ADDRESS.test(text);
}
