import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Config } from '../config/types.js';
import { packageRoot } from '../poll/collector-bundle.js';
import type { Store } from '../store/store.js';
import { addSilence, alertsAnswer, endSilence, hostAnswer, hostsAnswer, queryAnswer, silenceRequest, silencesAnswer, type Answer, type ApiContext, type Query } from './api.js';
import { PAGES, type ApiError, type Role } from './api-types.js';
import { assetFile, assetRoot, contentType, readAsset } from './assets.js';
import { Auth, requireRole, type Principal } from './auth.js';
import { eventsAnswer } from './events-api.js';
import { hostAllowed } from './host-check.js';
import { codeOfStatus, HttpError, badRequest, notFound } from './http-error.js';
import type { LoginLimiter } from './login-limiter.js';
import { MetricsPage } from './metrics-page.js';

/** Limits on every request: a client that is slow, big or idle costs a bounded share of the server. */
export const LIMITS = {
  /** Largest request body (a silence or a login is well under 1 KiB). */
  bodyBytes: 16 * 1024,
  /** Whole request, headers and body, must arrive within this. */
  requestMs: 30_000,
  /** A socket idle this long is closed. */
  connectionMs: 60_000,
  /** Keep-alive connections idle this long are closed. */
  keepAliveMs: 5_000,
  maxParamLength: 256,
} as const;

export interface ServerOptions {
  readonly config: Config;
  /** Opened read-only for the server's life; changes go through a short-lived writer (api.ts). */
  readonly store: Store;
  readonly clock: () => number;
  /** Directory holding the pages (overview.html, …) and their assets. */
  readonly assetDir: string;
  readonly tls?: { readonly cert: Buffer | string; readonly key: Buffer | string };
  /** Where server-side errors (with their stacks) are logged; never to the client. */
  readonly log: (message: string) => void;
  readonly limiter?: LoginLimiter;
  /** Names a request's Host may give besides those of `<web hosts>`, IP addresses and localhost (`--host-name`). */
  readonly hostNames?: readonly string[];
}

/** default-src 'self' with no inline script or style; no framing (clickjacking), no plugins, no <base> games. */
export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const etagOf = (payload: string | Buffer): string => `"${createHash('sha256').update(payload).digest('base64url').slice(0, 32)}"`;

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/** The request's query as single strings: a parameter given twice is refused rather than guessed at. */
function queryOf(request: FastifyRequest): Query {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (typeof value !== 'string') throw badRequest(`parameter "${key}" given more than once`);
    out[key] = value;
  }
  return out;
}

/** JSON by default; CSV by ?format=csv or an Accept that asks for text/csv. */
function sendAnswer(request: FastifyRequest, reply: FastifyReply, answer: Answer): FastifyReply {
  // Only `format` is read here: a route may take other parameters more than once (events' kind).
  const given = ((request.query ?? {}) as Record<string, unknown>)['format'];
  if (given !== undefined && typeof given !== 'string') throw badRequest('parameter "format" given more than once');
  const format = given ?? (/\btext\/csv\b/.test(request.headers.accept ?? '') ? 'csv' : 'json');
  if (format !== 'json' && format !== 'csv') throw badRequest(`format "${format}": expected json or csv`);
  reply.header('cache-control', 'private, no-cache').header('vary', 'Accept, Authorization, Cookie');
  if (format === 'csv') {
    if (!answer.csv) throw new HttpError(406, 'not_acceptable', 'this resource has no CSV form');
    return reply.type('text/csv; charset=utf-8; header=present').send(answer.csv());
  }
  return reply.type('application/json; charset=utf-8').send(answer.jsonText ? answer.jsonText() : JSON.stringify(answer.json));
}

/**
 * Responses computed from the whole database (the overview, /metrics), kept until another
 * connection (the poller, a silence) commits: PRAGMA data_version tells. Also gives the
 * overview a `generatedAt` that changes only with the data, so its ETag holds between polls.
 */
const MAX_SNAPSHOTS = 256;
/** /metrics at 1,000 hosts × 40 series is ~5 MB; a few of those and some charts. */
const MAX_SNAPSHOT_CHARS = 64 * 1024 * 1024;

class Snapshots {
  private version = -1;
  changedAt = 0;
  private readonly cache = new Map<string, string>();
  private readonly values = new Map<string, unknown>();
  /** ETags of cached answers, by the answer itself (V8 hashes a string once): a 3 MB /metrics is not hashed per request. */
  private readonly etags = new Map<string, string>();
  private bytes = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
  ) {}

  refresh(): void {
    const version = this.store.web.dataVersion();
    if (version === this.version) return;
    this.version = version;
    this.changedAt = this.clock();
    this.cache.clear();
    this.values.clear();
    this.etags.clear();
    this.bytes = 0;
  }

  /** The ETag of a payload: remembered for cached answers, computed for the rest. */
  etag(payload: string | Buffer): string {
    return (typeof payload === 'string' ? this.etags.get(payload) : undefined) ?? etagOf(payload);
  }

  /** A value other than text kept until the data changes (not counted in the bounds: one of each key). */
  keep<T>(key: string, compute: () => T): T {
    this.refresh();
    let found = this.values.get(key) as T | undefined;
    if (found === undefined) this.values.set(key, (found = compute()));
    return found;
  }

  get(key: string, compute: () => string): string {
    this.refresh();
    let found = this.cache.get(key);
    if (found === undefined) {
      found = compute();
      // Bounded in count and size: the oldest answers go first (query keys change every second).
      this.bytes += found.length;
      this.cache.set(key, found);
      this.etags.set(found, etagOf(found));
      while (this.cache.size > MAX_SNAPSHOTS || this.bytes > MAX_SNAPSHOT_CHARS) {
        const [oldest, text] = this.cache.entries().next().value!;
        this.cache.delete(oldest);
        this.etags.delete(text);
        this.bytes -= text.length;
      }
    }
    return found;
  }
}

/** The fastify app of `metrix serve`: pages, API, /metrics, with the security rules of auth.ts. Not yet listening. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const tls = options.tls !== undefined;
  const app = Fastify({
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' as const } } : {}),
    logger: false,
    bodyLimit: LIMITS.bodyBytes,
    requestTimeout: LIMITS.requestMs,
    connectionTimeout: LIMITS.connectionMs,
    keepAliveTimeout: LIMITS.keepAliveMs,
    routerOptions: { maxParamLength: LIMITS.maxParamLength },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }) as unknown as FastifyInstance;
  const ctx: ApiContext = { config: options.config, store: options.store, clock: options.clock };
  const auth = new Auth({ store: options.store, clock: options.clock, tls, ...(options.limiter ? { limiter: options.limiter } : {}) });
  const snapshots = new Snapshots(options.store, options.clock);
  const root = assetRoot(options.assetDir);

  // A request must name this server (DNS rebinding: host-check.ts).
  const hostNames = new Set([...(options.config.web?.hostNames ?? []), ...(options.hostNames ?? [])]);
  app.addHook('onRequest', async (request) => {
    if (!hostAllowed(request.headers.host, hostNames)) {
      throw new HttpError(421, 'misdirected', `Host "${String(request.headers.host).slice(0, 100)}" is not a name of this server; add it with --host-name or <web hosts="…">, or use its IP address`);
    }
  });

  // Only JSON bodies: a cross-site <form> can send text/plain or form data without asking, never JSON.
  app.removeContentTypeParser('text/plain');

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    if (tls) reply.header('strict-transport-security', 'max-age=31536000');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    if ((request.method === 'GET' || request.method === 'HEAD') && reply.statusCode === 200 && (typeof payload === 'string' || Buffer.isBuffer(payload))) {
      // A route may have named its answer's ETag already (/metrics: made once per data change).
      const given = reply.getHeader('etag');
      const etag = typeof given === 'string' ? given : snapshots.etag(payload);
      reply.header('etag', etag);
      if (matchesEtag(request.headers['if-none-match'], etag)) {
        reply.code(304);
        reply.removeHeader('content-type');
        return '';
      }
    }
    return payload;
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request, reply) => {
    let status: number;
    let body: ApiError;
    if (err instanceof HttpError) {
      status = err.status;
      for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
      body = { error: { code: err.code, message: err.message } };
    } else if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
      const message = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `request body too large (at most ${LIMITS.bodyBytes} bytes)` : err.message;
      body = { error: { code: codeOfStatus(status), message } };
    } else {
      status = 500;
      options.log(`ERROR ${request.method} ${request.url.slice(0, 200)}: ${err.stack ?? err.message}`);
      body = { error: { code: 'internal', message: 'internal error (logged on the server)' } };
    }
    return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ApiError = { error: { code: 'not_found', message: request.url.startsWith('/api/') ? 'no such API route' : 'no such page' } };
    return reply.code(404).type('application/json; charset=utf-8').send(JSON.stringify(body));
  });

  /** A route that needs `role`; the handler gets who asked. */
  const guarded = (role: Role, handler: (request: FastifyRequest, reply: FastifyReply, who: Principal) => unknown) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      const who = await auth.authenticate(request);
      requireRole(who, role);
      return handler(request, reply, who);
    };

  // Pages and their assets: no auth (they hold no data), nothing outside the asset directory.
  const sendFile = (reply: FastifyReply, file: string | undefined): FastifyReply => {
    const bytes = file === undefined ? undefined : readAsset(file);
    if (!file || !bytes) throw notFound(root ? 'no such file' : `no web pages in ${options.assetDir} (build them: npm run build)`);
    return reply.header('cache-control', 'no-cache').type(contentType(file)).send(bytes);
  };
  for (const [route, page] of Object.entries(PAGES)) app.get(route, async (_request, reply) => sendFile(reply, root && assetFile(root, page)));
  app.get('/static/*', async (request, reply) => {
    // The raw path, decoded once here: the router's own decoding is not what is checked.
    const raw = request.raw.url ?? '';
    const rest = raw.slice('/static/'.length).split('?')[0]!;
    return sendFile(reply, root && raw.startsWith('/static/') ? assetFile(root, rest) : undefined);
  });

  app.post('/api/v1/session', async (request, reply) => {
    auth.checkOrigin(request);
    const body = request.body as { user?: unknown; password?: unknown } | undefined;
    if (typeof body !== 'object' || body === null || typeof body.user !== 'string' || typeof body.password !== 'string') throw badRequest('expected JSON {"user": "...", "password": "..."}');
    const user = await auth.checkPassword(request, body.user, body.password);
    return reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(JSON.stringify(auth.startSession(reply, user)));
  });
  app.get('/api/v1/session', async (request, reply) => {
    const found = auth.session(request);
    if (!found) throw new HttpError(401, 'unauthorized', 'not signed in');
    return reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(JSON.stringify(found.info));
  });
  app.delete('/api/v1/session', async (request, reply) => {
    if (auth.session(request)) await auth.authenticate(request); // the CSRF rules: no cross-site logout
    auth.endSession(request, reply);
    return reply.code(204).send();
  });

  app.get('/api/v1/hosts', guarded('viewer', (request, reply) => {
    if (Object.keys(queryOf(request)).some((key) => key !== 'format')) throw badRequest('unknown parameter (allowed: format)');
    snapshots.refresh();
    const cached = (format: 'json' | 'csv') => (): string =>
      snapshots.get(`hosts.${format}`, () => {
        const answer = hostsAnswer(ctx, snapshots.changedAt);
        return format === 'csv' ? answer.csv!() : JSON.stringify(answer.json);
      });
    return sendAnswer(request, reply, { json: undefined, jsonText: cached('json'), csv: cached('csv') });
  }));
  app.get('/api/v1/hosts/:name', guarded('viewer', (request, reply) => sendAnswer(request, reply, hostAnswer(ctx, (request.params as { name: string }).name))));
  // Relative times (since=24h, until=now) are resolved to the whole second, so the same chart
  // asked for by many pages within one second (and no new data) is read once.
  const secondCtx: ApiContext = { ...ctx, clock: () => Math.floor(options.clock() / 1000) * 1000 };
  app.get('/api/v1/query', guarded('viewer', (request, reply) => {
    const query = queryOf(request);
    const key = `query ${Math.floor(options.clock() / 1000)} ${JSON.stringify(Object.entries(query).filter(([k]) => k !== 'format').sort())}`;
    const answer = () => queryAnswer(secondCtx, query);
    let computed: Answer | undefined;
    const once = (): Answer => (computed ??= answer());
    // Only the form asked for is built (a bad parameter is a 400 in either).
    return sendAnswer(request, reply, { json: undefined, jsonText: () => snapshots.get(`${key} json`, () => JSON.stringify(once().json)), csv: () => snapshots.get(`${key} csv`, () => once().csv!()) });
  }));
  app.get('/api/v1/alerts', guarded('viewer', (request, reply) => sendAnswer(request, reply, alertsAnswer(ctx, queryOf(request)))));
  app.get('/api/v1/events', guarded('viewer', (request, reply) => sendAnswer(request, reply, eventsAnswer(ctx, (request.query ?? {}) as Record<string, unknown>))));
  app.get('/api/v1/silences', guarded('viewer', (request, reply) => sendAnswer(request, reply, silencesAnswer(ctx))));
  app.post('/api/v1/silences', guarded('admin', async (request, reply, who) => {
    const silence = await addSilence(ctx, silenceRequest(request.body), who.user);
    return reply.code(201).type('application/json; charset=utf-8').send(JSON.stringify({ silence }));
  }));
  app.delete('/api/v1/silences/:id', guarded('admin', async (request, reply) => {
    const ended = await endSilence(ctx, (request.params as { id: string }).id);
    return reply.type('application/json; charset=utf-8').send(JSON.stringify({ silence: ended }));
  }));

  // Prometheus asks for gzip: at 1,000 hosts × 40 series the text is ~3 MB, gzipped a tenth of
  // it. Both are made once per data change, as bytes with their ETag: nothing of 3 MB is
  // encoded or hashed per request.
  const metricsPage = new MetricsPage(ctx);
  const metricsBytes = (): { body: Buffer; etag: string } =>
    snapshots.keep('metrics', () => {
      const body = metricsPage.bytes();
      return { body, etag: etagOf(body) };
    });
  app.get('/metrics', guarded('viewer', (request, reply) => {
    reply.header('cache-control', 'no-store').header('vary', 'Accept-Encoding').type('text/plain; version=0.0.4; charset=utf-8');
    if (!/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
      const plain = metricsBytes();
      return reply.header('etag', plain.etag).send(plain.body);
    }
    const gzipped = snapshots.keep('metrics.gz', () => {
      const plain = metricsBytes();
      return { body: gzipSync(plain.body, { level: 6 }), etag: `${plain.etag.slice(0, -1)}.gz"` };
    });
    return reply.header('content-encoding', 'gzip').header('etag', gzipped.etag).send(gzipped.body);
  }));

  return app;
}

/** Where the built pages are: <package root>/dist/web, which `npm run build` fills. */
export function defaultAssetDir(): string {
  return path.join(packageRoot(), 'dist', 'web');
}
