import { readAttributes } from './attributes.js';
import type { ResolveContext } from './context.js';
import { parseListen } from './listen.js';
import { parseHostNames } from './host-names.js';
import { WEB_ATTRS } from './schema.js';
import type { WebConfig } from './types.js';
import type { XmlElement } from './xml.js';

export const WEB_DEFAULTS = { host: '127.0.0.1', port: 8080 } as const;

/** `<web listen cert key insecure hosts/>`, defaults filled in; `metrix serve` flags override it. */
export function resolveWeb(element: XmlElement | undefined, context: ResolveContext, problems: string[]): WebConfig {
  const attrs = readAttributes(element, WEB_ATTRS, problems);
  let listen: WebConfig['listen'] = WEB_DEFAULTS;
  if (attrs.listen !== undefined) {
    const parsed = parseListen(attrs.listen);
    if ('error' in parsed) problems.push(`<web> listen="${attrs.listen}": ${parsed.error}`);
    else listen = parsed;
  }
  // On the attributes as written: a bad value has its own problem already.
  const given = (name: string): boolean => element?.attributes[name] !== undefined;
  if (given('cert') !== given('key')) problems.push('<web>: give both cert and key (HTTPS needs the certificate and its private key), or neither');
  return {
    listen,
    cert: attrs.cert === undefined ? undefined : context.localPath(attrs.cert),
    key: attrs.key === undefined ? undefined : context.localPath(attrs.key),
    insecure: attrs.insecure ?? false,
    hostNames: attrs.hosts === undefined ? [] : hostNamesOf(attrs.hosts, problems),
  };
}

function hostNamesOf(text: string, problems: string[]): string[] {
  const parsed = parseHostNames(text);
  if ('error' in parsed) {
    problems.push(`<web> hosts="${text}": ${parsed.error}`);
    return [];
  }
  return parsed.names;
}
