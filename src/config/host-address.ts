import { isIPv4, isIPv6 } from 'node:net';

/** DNS limits (RFC 1035): a whole name, and one dot-separated label. */
export const MAX_HOSTNAME_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;

// Letters, digits and hyphens (RFC 1123); underscores too, which DNS itself allows and some
// sites' internal names use. A label never starts or ends with a hyphen.
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$/;

export const HOST_ADDRESS_HELP = 'a host name, an IPv4 address or an IPv6 address';

/**
 * Why `text` cannot be a network address (a host name or an IP literal), or undefined when
 * it can. Anything else (a shell fragment, a URL, a port) is refused here, so nothing odd
 * ever reaches SSH, SMTP, a log line or a mail header.
 */
export function hostAddressProblem(text: string): string | undefined {
  if (isIPv4(text) || isIPv6(text)) return undefined;
  const url = urlParts(text);
  if (url) return `a URL, not a host (did you mean "${url.host}"${url.port ? ` with port="${url.port}"` : ''}?)`;
  if (text.startsWith('[') && text.endsWith(']') && isIPv6(text.slice(1, -1))) return `write the IPv6 address without brackets (did you mean "${text.slice(1, -1)}"?)`;
  const hostPort = /^([^:]+):(\d+)$/.exec(text);
  if (hostPort && !hostAddressProblem(hostPort[1]!)) return `a port does not belong here (did you mean "${hostPort[1]}" with port="${hostPort[2]}"?)`;
  if (text.length > MAX_HOSTNAME_LENGTH) return `too long for a host name (${text.length} characters; at most ${MAX_HOSTNAME_LENGTH})`;
  const name = text.endsWith('.') ? text.slice(0, -1) : text; // a fully qualified "name." is fine
  const labels = name.split('.');
  if (labels.every((label) => /^\d+$/.test(label))) return `not a valid IPv4 address (${HOST_ADDRESS_HELP})`;
  const long = labels.find((label) => label.length > MAX_LABEL_LENGTH);
  if (long) return `label "${long.slice(0, 20)}..." is longer than ${MAX_LABEL_LENGTH} characters (${HOST_ADDRESS_HELP})`;
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad === undefined) return undefined;
  if (bad === '') return `empty label between dots (${HOST_ADDRESS_HELP})`;
  return `not ${HOST_ADDRESS_HELP} (a host name has letters, digits, "-" and "." only)`;
}

function urlParts(text: string): { host: string; port: string } | undefined {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) return undefined;
  try {
    const url = new URL(text);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    return host === '' ? undefined : { host, port: url.port };
  } catch {
    return undefined;
  }
}
