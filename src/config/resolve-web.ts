import { readAttributes } from './attributes.js';
import type { ResolveContext } from './context.js';
import { parseListen } from './listen.js';
import { WEB_ATTRS } from './schema.js';
import type { WebConfig } from './types.js';
import type { XmlElement } from './xml.js';

export const WEB_DEFAULTS = { host: '127.0.0.1', port: 8080 } as const;

/** `<web listen cert key insecure/>`, defaults filled in; `metrix serve` flags override it. */
export function resolveWeb(element: XmlElement | undefined, context: ResolveContext, problems: string[]): WebConfig {
  const attrs = readAttributes(element, WEB_ATTRS, problems);
  let listen: WebConfig['listen'] = WEB_DEFAULTS;
  if (attrs.listen !== undefined) {
    const parsed = parseListen(attrs.listen);
    if ('error' in parsed) problems.push(`<web> listen="${attrs.listen}": ${parsed.error}`);
    else listen = parsed;
  }
  if ((attrs.cert === undefined) !== (attrs.key === undefined)) problems.push('<web>: give both cert and key (HTTPS needs the certificate and its private key), or neither');
  return {
    listen,
    cert: attrs.cert === undefined ? undefined : context.localPath(attrs.cert),
    key: attrs.key === undefined ? undefined : context.localPath(attrs.key),
    insecure: attrs.insecure ?? false,
  };
}
