import { keyTypeOf } from './fingerprint.js';
import { matchHashedHost, matchHostList, parseHashedHost, type HashedHost } from './host-pattern.js';

export type KnownHostMarker = 'revoked' | 'cert-authority';

export type HostField = { readonly hashed: HashedHost } | { readonly patterns: readonly string[] };

/** One key line of an OpenSSH known_hosts file. */
export interface KnownHostEntry {
  /** 1-based line number in the file, as `ssh-keygen -F` reports it. */
  readonly line: number;
  readonly marker: KnownHostMarker | undefined;
  readonly hosts: HostField;
  readonly keyType: string;
  readonly key: Buffer;
}

export interface InvalidLine {
  readonly line: number;
  readonly reason: string;
}

export interface KnownHosts {
  readonly entries: readonly KnownHostEntry[];
  /** Lines skipped as unreadable; OpenSSH skips them too, with a debug message. */
  readonly invalid: readonly InvalidLine[];
}

const MARKERS: Readonly<Record<string, KnownHostMarker>> = { '@revoked': 'revoked', '@cert-authority': 'cert-authority' };

/** Parses known_hosts text. Pure; never throws: bad lines are listed in `invalid`. */
export function parseKnownHosts(text: string): KnownHosts {
  const entries: KnownHostEntry[] = [];
  const invalid: InvalidLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const parsed = parseLine(raw.replace(/\r$/, ''), index + 1);
    if (parsed === undefined) return;
    if ('reason' in parsed) invalid.push(parsed);
    else entries.push(parsed);
  });
  return { entries, invalid };
}

function parseLine(text: string, line: number): KnownHostEntry | InvalidLine | undefined {
  const fields = text.trim().split(/[ \t]+/);
  if (fields[0] === '' || fields[0]?.startsWith('#')) return undefined;
  let marker: KnownHostMarker | undefined;
  if (fields[0]?.startsWith('@')) {
    marker = MARKERS[fields[0]];
    if (marker === undefined) return { line, reason: `unknown marker ${fields[0]}` };
    fields.shift();
  }
  const [hostField, keyType, key64] = fields;
  if (hostField === undefined || keyType === undefined || key64 === undefined || key64.startsWith('#')) {
    return { line, reason: 'expected: [marker] hosts keytype base64-key [comment]' };
  }
  const hosts = parseHostField(hostField);
  if (hosts === undefined) return { line, reason: `malformed hashed host ${hostField}` };
  const key = Buffer.from(key64, 'base64');
  if (keyTypeOf(key) !== keyType) return { line, reason: `key is not a valid ${keyType} key` };
  return { line, marker, hosts, keyType, key };
}

function parseHostField(field: string): HostField | undefined {
  if (!field.startsWith('|')) return { patterns: field.split(',').filter((p) => p !== '') };
  const hashed = parseHashedHost(field);
  return hashed === undefined ? undefined : { hashed };
}

/** Whether a line applies to a host looked up by its known_hosts name (see knownHostsName). */
export function entryMatches(entry: KnownHostEntry, name: string): boolean {
  return 'hashed' in entry.hosts ? matchHashedHost(name, entry.hosts.hashed) : matchHostList(name, entry.hosts.patterns);
}
