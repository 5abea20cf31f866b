import { isIPv4, isIPv6 } from 'node:net';
import { hostAddressProblem } from './host-address.js';

/** Where `metrix serve` listens: `127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:8443`, `monitor.example.org:443`. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export const LISTEN_HELP = 'HOST:PORT, e.g. 127.0.0.1:8080, [::1]:8080 or 0.0.0.0:8443 (port 0..65535; 0 picks a free one)';

/** Parses HOST:PORT (an IPv6 host in brackets); an error saying what is wrong otherwise. */
export function parseListen(text: string): ListenAddress | { readonly error: string } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) return { error: `expected ${LISTEN_HELP}` };
  const host = match[1] ?? match[2]!;
  const port = Number(match[3]);
  if (port > 65535) return { error: `port ${port} out of range (0..65535; 0 picks a free one)` };
  if (match[1] !== undefined && !isIPv6(host)) return { error: `"[${host}]" is not an IPv6 address` };
  const problem = isIPv4(host) || isIPv6(host) ? undefined : hostAddressProblem(host);
  return problem ? { error: `"${host}": ${problem}` } : { host, port };
}

/**
 * True for addresses only this machine can reach: 127.0.0.0/8, ::1, an IPv4-mapped
 * ::ffff:127.x, and the name `localhost`. Used on a listen address and on a connection's
 * remote address (the socket's, never a header).
 */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (isIPv4(plain)) return plain.startsWith('127.');
  if (isIPv6(plain)) return plain === '::1' || plain === '0:0:0:0:0:0:0:1';
  return plain === 'localhost';
}
