/**
 * known_hosts cost per host: N hosts looked up in one 3,000-line hashed known_hosts file
 * (each host's own line among them), the gate opened and the host's key verified as a
 * connection does. Prints the event-loop time per host; asserts nothing.
 *   npm run --silent build && node dist/bench/known-hosts.js [--hosts 200] [--lines 3000] [--per-host]
 * --per-host gives every host a fresh cache: the file read and parsed again for each host.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Host } from '../src/config/types.js';
import { openHostKeyGate } from '../src/ssh/host-key-gate.js';
import { hashHostName } from '../src/ssh/host-pattern.js';
import { KnownHostsCache } from '../src/ssh/known-hosts-cache.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '200' },
    lines: { type: 'string', default: '3000' },
    'per-host': { type: 'boolean', default: false },
  },
});
const hosts = Number(values.hosts);
const lines = Number(values.lines);

/** The SSH wire form of an ed25519 public key: string "ssh-ed25519", string key. */
function ed25519Blob(): Buffer {
  const der = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
  const field = (data: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, data.length]), data]);
  return Buffer.concat([field(Buffer.from('ssh-ed25519')), field(der.subarray(der.length - 32))]);
}

const dir = mkdtempSync(join(tmpdir(), 'metrix-bench-known-hosts-'));
try {
  const file = join(dir, 'known_hosts');
  const names = Array.from({ length: lines }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  const keys = names.map(() => ed25519Blob());
  writeFileSync(file, names.map((name, i) => `${hashHostName(name)} ssh-ed25519 ${keys[i]!.toString('base64')}`).join('\n') + '\n');
  // Hosts spread over the file, so a lookup cannot stop early.
  const chosen = Array.from({ length: hosts }, (_, i) => Math.floor(((i + 0.5) * lines) / hosts));
  const host = (i: number): Host => ({
    name: `h${i}`,
    transport: 'ssh',
    address: names[i]!,
    port: 22,
    user: 'metrix',
    identityFile: undefined,
    passphraseEnv: undefined,
    knownHosts: file,
    hostKeyPolicy: 'strict',
    node: 'node',
    remoteDir: '/tmp/metrix',
    proxyJump: undefined,
    groups: [],
  });
  const shared = new KnownHostsCache();
  const elu = performance.eventLoopUtilization();
  const start = performance.now();
  let accepted = 0;
  for (const i of chosen) {
    const gate = await openHostKeyGate(host(i), values['per-host'] ? new KnownHostsCache() : shared, () => undefined);
    if (gate.ok && (await gate.value.verify(keys[i]!))) accepted++;
  }
  const wallMs = performance.now() - start;
  const { active } = performance.eventLoopUtilization(elu);
  console.log(
    `${hosts} hosts, ${lines}-line hashed known_hosts, ${values['per-host'] ? 'a fresh cache per host' : 'one cache per run'}: ` +
      `${(active / hosts).toFixed(2)} ms event loop per host (${active.toFixed(0)} ms in all, ${wallMs.toFixed(0)} ms wall), ${accepted}/${hosts} keys accepted`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
