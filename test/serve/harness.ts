import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { onTestFinished } from 'vitest';
import type { Sample } from '../../client-script/src/protocol.js';
import { loadConfig } from '../../src/config/load.js';
import type { PollRecord } from '../../src/poll/records.js';
import { LoginLimiter } from '../../src/serve/login-limiter.js';
import { hashPassword, newToken, tokenHash } from '../../src/serve/passwords.js';
import { buildServer } from '../../src/serve/server.js';
import { Store } from '../../src/store/store.js';
import type { UserRole } from '../../src/store/user-store.js';
import { tempDir } from '../helpers/tmp.js';

/** A line no served file holds: finding it in a response means the config leaked. */
export const CONFIG_MARKER = 'CONFIG-MUST-NOT-LEAK-7f3a';
export const PASSWORD = 'correct horse battery';
/** Cheap scrypt for tests that add many users; the real cost is tested in passwords.test.ts. */
const TEST_COST = { N: 1024, r: 8, p: 1 };

export interface Project {
  readonly dir: string;
  readonly configPath: string;
  readonly database: string;
  /** dir/assets/web: two levels below the config, so `../../config.xml` from it names the config. */
  readonly assets: string;
}

/** A project: config.xml listing `hosts` (local transport), an asset directory with pages, an empty store. */
export function project(hosts: ReadonlyArray<{ name: string; groups?: string }> = [{ name: 'f4', groups: 'compute' }, { name: 'f5' }], extra = ''): Project {
  const dir = tempDir('metrix-serve-');
  const lines = hosts.map((h) => `<host name="${h.name}" transport="local"${h.groups ? ` groups="${h.groups}"` : ''}/>`);
  const configPath = join(dir, 'config.xml');
  writeFileSync(
    configPath,
    `<metrix>\n  <!-- ${CONFIG_MARKER} -->\n  <settings database="./metrix.db" keys="./keys"/>\n  <hosts>\n    ${lines.join('\n    ')}\n  </hosts>\n` +
      `  <alerts><alert name="high-cpu" metric="cpu_percent" op="&gt;" value="90"/></alerts>\n${extra}</metrix>\n`,
  );
  const assets = join(dir, 'assets', 'web');
  mkdirSync(join(assets, 'js'), { recursive: true });
  for (const page of ['overview', 'host', 'alerts', 'login']) writeFileSync(join(assets, `${page}.html`), `<!doctype html><title>${page}</title>`);
  writeFileSync(join(assets, 'js', 'app.js'), 'console.log("app");\n');
  const database = join(dir, 'metrix.db');
  Store.open(database).close();
  return { dir, configPath, database, assets };
}

export function withStore<T>(p: Project, use: (store: Store) => T): T {
  const store = Store.open(p.database);
  try {
    return use(store);
  } finally {
    store.close();
  }
}

export const up = (host: string, ts: number, samples: readonly Sample[] = []): PollRecord => ({
  host, ts, durationMs: 300, failure: undefined, collector: '0.1.0', samples: [{ m: 'host_up', v: 1 }, ...samples],
});
export const down = (host: string, ts: number): PollRecord => ({
  host, ts, durationMs: 2000, failure: { reason: 'unreachable', message: 'ssh: connect ECONNREFUSED' }, collector: undefined, samples: [{ m: 'host_up', v: 0 }],
});

export function storeRun(p: Project, ...polls: PollRecord[]): void {
  withStore(p, (store) => void store.writeRun({ startedAt: polls[0]!.ts, finishedAt: polls[0]!.ts + 500, polls }));
}

/** Adds a user with PASSWORD (cheap hash) and returns a bearer token of it. */
export async function addUser(p: Project, name: string, role: UserRole): Promise<string> {
  const hash = await hashPassword(PASSWORD, TEST_COST);
  const token = newToken();
  withStore(p, (store) => {
    store.users.put(name, role, hash, Date.now());
    store.users.addToken(store.users.find(name)!.id, tokenHash(token), Date.now());
  });
  return token;
}

export interface Tls {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** A self-signed certificate for 127.0.0.1 and `extraIp`, made by the real openssl. */
export function selfSigned(dir: string, extraIp?: string): Tls {
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  const san = `subjectAltName=IP:127.0.0.1,DNS:localhost${extraIp ? `,IP:${extraIp}` : ''}`;
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=metrix-test', '-addext', san], { stdio: 'pipe', timeout: 60_000 });
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

export interface Running {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly store: Store;
  readonly logged: string[];
}

export interface StartOptions {
  readonly tls?: Tls;
  readonly host?: string;
  readonly clock?: () => number;
  readonly limiter?: LoginLimiter;
  readonly hostNames?: readonly string[];
}

/** buildServer on a real socket (ephemeral port), read-only store as serve opens it; closed when the test ends. */
export async function start(p: Project, options: StartOptions = {}): Promise<Running> {
  const store = Store.open(p.database, { readonly: true });
  const logged: string[] = [];
  const app = buildServer({
    config: loadConfig(p.configPath),
    store,
    clock: options.clock ?? Date.now,
    assetDir: p.assets,
    log: (message) => logged.push(message),
    ...(options.tls ? { tls: { cert: options.tls.cert, key: options.tls.key } } : {}),
    ...(options.limiter ? { limiter: options.limiter } : {}),
    ...(options.hostNames ? { hostNames: options.hostNames } : {}),
  });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: 0 });
  onTestFinished(async () => {
    await app.close();
    try {
      store.close();
    } catch {
      // a test may have closed it on purpose
    }
  });
  const port = (app.server.address() as { port: number }).port;
  return { app, url: `${options.tls ? 'https' : 'http'}://${host}:${port}`, store, logged };
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly raw: Buffer;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** The certificate to trust (a self-signed server). */
  readonly ca?: string;
}

/** One HTTP(S) request with the path sent exactly as given (no normalising of `..` or encodings). */
export function request(base: string, rawPath: string, options: RequestOptions = {}): Promise<Reply> {
  const url = new URL(base);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      { host: url.hostname, port: url.port, path: rawPath, method: options.method ?? 'GET', headers: options.headers ?? {}, ca: options.ca, agent: false, timeout: 60_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString('utf8'), raw });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request ${rawPath} timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
export const basic = (user: string, password: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
export const json = (body: unknown): { body: string; headers: Record<string, string> } => ({ body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

/** Signs in through POST /api/v1/session; the cookie and CSRF token to send after. */
export async function signIn(base: string, user: string, options: { ca?: string } = {}): Promise<{ cookie: string; csrf: string }> {
  const reply = await request(base, '/api/v1/session', { method: 'POST', ...json({ user, password: PASSWORD }), ...(options.ca ? { ca: options.ca } : {}) });
  if (reply.status !== 200) throw new Error(`sign-in failed: ${reply.status} ${reply.body}`);
  const cookie = String(reply.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  return { cookie, csrf: (JSON.parse(reply.body) as { csrfToken: string }).csrfToken };
}

/** The machine's first non-loopback IPv4 address (a connection to it is not a loopback connection). */
export function nonLoopbackAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  }
  throw new Error('this machine has no non-loopback IPv4 address: the plain-HTTP credential tests need one');
}
