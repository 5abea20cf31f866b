import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { logLine, type Io } from '../cli/io.js';
import { isLoopback, parseListen, type ListenAddress } from '../config/listen.js';
import { loadConfig } from '../config/load.js';
import { WEB_DEFAULTS } from '../config/resolve-web.js';
import { errorMessage, usageError } from '../errors.js';
import { parseHostNames } from '../config/host-names.js';
import { buildServer, defaultAssetDir } from '../serve/server.js';
import { Store } from '../store/store.js';

export interface ServeOptions {
  readonly config: string;
  readonly listen?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly insecureListen?: boolean;
  readonly assets?: string;
  readonly hostName?: string;
}

interface Plan {
  readonly listen: ListenAddress;
  readonly tls: { cert: Buffer; key: Buffer } | undefined;
}

/** How long a stop waits for requests in flight before closing their connections anyway. */
const STOP_DEADLINE_MS = 10_000;

function readPem(what: string, file: string): Buffer {
  try {
    const bytes = readFileSync(file);
    if (!bytes.includes('-----BEGIN ')) throw new Error('not a PEM file (no -----BEGIN line)');
    return bytes;
  } catch (err) {
    throw usageError(`${what} ${file}: ${errorMessage(err)}`);
  }
}

/** Flags over <web>, then the rules: cert and key together; plain HTTP on loopback only unless told. */
function plan(options: ServeOptions, web: { listen: ListenAddress; cert?: string | undefined; key?: string | undefined; insecure: boolean }, cwd: string): Plan {
  let listen = web.listen;
  if (options.listen !== undefined) {
    const parsed = parseListen(options.listen);
    if ('error' in parsed) throw usageError(`--listen "${options.listen}": ${parsed.error}`);
    listen = parsed;
  }
  const cert = options.cert === undefined ? web.cert : resolve(cwd, options.cert);
  const key = options.key === undefined ? web.key : resolve(cwd, options.key);
  if ((cert === undefined) !== (key === undefined)) throw usageError('give both --cert and --key (the certificate and its private key), or neither');
  const tls = cert && key ? { cert: readPem('--cert', cert), key: readPem('--key', key) } : undefined;
  if (!tls && !isLoopback(listen.host) && !(options.insecureListen || web.insecure)) {
    throw usageError(
      `--listen ${listen.host}:${listen.port} without TLS would send passwords in clear text over the network: give --cert and --key, ` +
        'or listen on 127.0.0.1, or say --insecure-listen (<web insecure="true"/>) if something in front of metrix does TLS',
    );
  }
  return { listen, tls };
}

const url = (tls: boolean, { host, port }: ListenAddress): string => `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;

/** `metrix serve`: the web view, JSON/CSV API and /metrics, until SIGTERM or SIGINT. */
export async function serve(options: ServeOptions, io: Io): Promise<number> {
  const config = loadConfig(options.config);
  const web = config.web ?? { listen: WEB_DEFAULTS, cert: undefined, key: undefined, insecure: false, hostNames: [] };
  const p = plan(options, web, io.cwd);
  const named = options.hostName === undefined ? { names: [] } : parseHostNames(options.hostName);
  if ('error' in named) throw usageError(`--host-name "${options.hostName}": ${named.error}`);
  const database = config.settings.database;
  // A first start before any poll: make the (empty) database so users can be added and pages shown.
  if (!existsSync(database)) Store.open(database).close();
  const store = Store.open(database, { readonly: true });
  let app: FastifyInstance;
  try {
    app = buildServer({
      config,
      store,
      clock: io.clock,
      assetDir: options.assets === undefined ? defaultAssetDir() : resolve(io.cwd, options.assets),
      ...(p.tls ? { tls: p.tls } : {}),
      hostNames: named.names,
      log: (message) => logLine(io, 'ERROR', message),
    });
  } catch (err) {
    store.close();
    throw usageError(`--cert/--key: not a usable certificate and key: ${errorMessage(err)}`);
  }
  try {
    await app.listen({ host: p.listen.host, port: p.listen.port });
  } catch (err) {
    store.close();
    const code = (err as { code?: string }).code;
    const why = code === 'EADDRINUSE' ? 'the address is in use (another metrix serve?)' : code === 'EACCES' ? 'not allowed (ports below 1024 need privileges)' : errorMessage(err);
    throw usageError(`cannot listen on ${p.listen.host}:${p.listen.port}: ${why}`);
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? { host: p.listen.host, port: address.port } : p.listen;
  logLine(io, 'INFO', `serving ${url(p.tls !== undefined, bound)} (pages, /api/v1, /metrics)`);
  if (store.users.list().length === 0) logLine(io, 'WARN', 'no users yet: everything but the pages answers 401 (metrix user add NAME --role admin)');
  await new Promise<void>((done) => {
    const unsubscribe = io.onStop?.((signal) => {
      unsubscribe?.();
      logLine(io, 'INFO', `${signal}: finishing requests in flight, then stopping`);
      done();
    });
    if (!unsubscribe) done();
  });
  const deadline = setTimeout(() => app.server.closeAllConnections?.(), STOP_DEADLINE_MS);
  try {
    await app.close();
  } finally {
    clearTimeout(deadline);
    store.close();
  }
  logLine(io, 'INFO', 'stopped');
  return 0;
}
