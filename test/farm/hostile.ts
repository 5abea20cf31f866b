import { createServer, type Server, type Socket } from 'node:net';
import { createRequire } from 'node:module';

/** A port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A port nothing listens on: connecting is refused at once. */
export const closedPort = freePort;

export interface SilentServer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: () => number;
  stop(): Promise<void>;
}

/** Accepts TCP connections and never says a word: a hung sshd, as far as a client can tell. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    accepted: () => accepted,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Name beside a resealing collector of the real collector bundle it runs. */
export const REAL_COLLECTOR = 'real-collector.js';

/**
 * A collector that lies with the host's real key: it runs the real collector (`REAL_COLLECTOR`
 * beside it) with --print, lets `spoil` (JavaScript with `report` in scope) change the report,
 * and seals the result with the key file beside it, as the real one would. What the poller
 * opens is authentic and well sealed; only its content is the host's choice.
 */
export function resealingCollector(spoil: string): string {
  const nacl = createRequire(import.meta.url).resolve('tweetnacl');
  return `const { execFileSync } = require('child_process');
const { readFileSync } = require('fs');
const { join } = require('path');
const nacl = require(${JSON.stringify(nacl)});
const key = JSON.parse(readFileSync(join(__dirname, 'metrix-host.key'), 'utf8'));
const args = process.argv.slice(2);
// stdin passed on: a one-shot poll's spec comes on it (--spec -).
const report = JSON.parse(execFileSync(process.execPath, [join(__dirname, ${JSON.stringify(REAL_COLLECTOR)}), '--print', ...args], { stdio: ['inherit', 'pipe', 'pipe'] }).toString());
report.host = key.host;
${spoil};
const nonce = nacl.randomBytes(nacl.box.nonceLength);
const box = nacl.box(Buffer.from(JSON.stringify(report)), nonce, Buffer.from(key.pollerPublicKey, 'base64'), Buffer.from(key.secretKey, 'base64'));
process.stdout.write('metrix-sealed-v1 ' + Buffer.from(nonce).toString('base64') + ' ' + Buffer.from(box).toString('base64') + '\\n');
`;
}
