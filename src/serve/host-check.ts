import { isIP } from 'node:net';

/**
 * Which Host a request may name. A page on another site can make a browser send requests to
 * this server under the site's own name (DNS rebinding: evil.example resolving to 127.0.0.1),
 * and the browser then treats the answers as that site's. So a request must name this server:
 * by an IP address (a rebinding page cannot: its origin would be the address, which is this
 * server), as `localhost`, or by a name it was told (`<web hosts=…>`, `--host-name`).
 * A request without Host (HTTP/1.0: no browser) is let through.
 */
/** The host part of a Host header ("name:8443", "[::1]:8080"), lower case, without a trailing dot. */
function hostPart(header: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(header);
  const host = bracketed ? bracketed[1]! : header.replace(/:\d*$/, '');
  return host.toLowerCase().replace(/\.$/, '');
}

/** True when a request with this Host header may be answered. */
export function hostAllowed(header: string | undefined, names: ReadonlySet<string>): boolean {
  if (header === undefined) return true;
  const host = hostPart(header);
  return isIP(host) !== 0 || host === 'localhost' || names.has(host);
}
