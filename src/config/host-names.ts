import { isIP } from 'node:net';

/** A DNS name: labels of letters, digits and inner hyphens, 253 characters at most. */
const NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** "monitor.example.org,Other.Example" → lower-case names, checked as DNS names. */
export function parseHostNames(text: string): { names: string[] } | { error: string } {
  const names = text.split(',').map((n) => n.trim().toLowerCase().replace(/\.$/, '')).filter((n) => n !== '');
  const bad = names.filter((n) => !NAME.test(n) || isIP(n) !== 0);
  if (bad.length > 0) return { error: `${bad.map((n) => `"${n}"`).join(', ')}: not a host name (letters, digits, "-" and "." only; IP addresses need not be listed)` };
  return { names };
}
