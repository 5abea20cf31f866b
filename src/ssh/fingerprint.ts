import { createHash } from 'node:crypto';

/** The key type written inside an SSH public key blob ("ssh-ed25519", "ssh-rsa", ...), or undefined if malformed. */
export function keyTypeOf(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return undefined;
  const type = blob.subarray(4, 4 + length).toString('latin1');
  return /^[\x21-\x7e]+$/.test(type) ? type : undefined;
}

/** `SHA256:<base64 without padding>`, exactly as `ssh-keygen -lf` prints it. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The name OpenSSH looks a host up by in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(address: string, port: number): string {
  const host = address.toLowerCase();
  return port === 22 ? host : `[${host}]:${port}`;
}

/** One known_hosts line in plain form, as metrix appends it and tells users to add it. */
export function knownHostsLine(address: string, port: number, blob: Buffer): string {
  return `${knownHostsName(address, port)} ${keyTypeOf(blob) ?? 'unknown'} ${blob.toString('base64')}`;
}
