import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoginLimiter } from '../../src/serve/login-limiter.js';
import { CSP, LIMITS } from '../../src/serve/server.js';
import { addUser, basic, bearer, CONFIG_MARKER, json, nonLoopbackAddress, PASSWORD, project, request, selfSigned, signIn, start, type Reply } from './harness.js';

/** The security rules of metrix serve, one line per case: real server on a real socket, real SQLite file. */

describe('no path escapes the asset directory', () => {
  // Each raw path is sent as written: no client-side normalising.
  const ESCAPES: ReadonlyArray<readonly [string, string]> = [
    ['dot-dot', '/static/../../config.xml'],
    ['encoded slash', '/static/..%2f..%2fconfig.xml'],
    ['encoded dots', '/static/%2e%2e/%2e%2e/config.xml'],
    ['all encoded', '/static/%2e%2e%2f%2e%2e%2fconfig.xml'],
    ['upper-case encoding', '/static/%2E%2E%2F%2E%2E%2Fconfig.xml'],
    ['double-encoded', '/static/%252e%252e%252f%252e%252e%252fconfig.xml'],
    ['double-encoded slash', '/static/..%252f..%252fconfig.xml'],
    ['backslashes', '/static/..\\..\\config.xml'],
    ['encoded backslashes', '/static/..%5c..%5cconfig.xml'],
    ['NUL', '/static/js/app.js%00../../../config.xml'],
    ['NUL then extension', '/static/../../config.xml%00.js'],
    ['absolute path', '/static//etc/passwd'],
    ['encoded absolute path', '/static/%2fetc%2fpasswd'],
    ['overlong UTF-8 dot', '/static/%c0%ae%c0%ae/%c0%ae%c0%ae/config.xml'],
    ['symlinked directory pointing out', '/static/out/config.xml'],
    ['symlinked file pointing out', '/static/leak.xml'],
    ['dotfile', '/static/.secret'],
    ['page route with traversal', '/host/..%2f..%2fconfig.xml'],
    ['root traversal', '/..%2f..%2fconfig.xml'],
    ['static prefix only', '/static/'],
    ['query string carries traversal', '/static/js/app.js?../../config.xml'],
  ];

  it.each(ESCAPES)('%s: %s never returns the config', async (_name, path) => {
    const p = project();
    symlinkSync(p.dir, join(p.assets, 'out'));
    symlinkSync(p.configPath, join(p.assets, 'leak.xml'));
    writeFileSync(join(p.assets, '.secret'), CONFIG_MARKER);
    const server = await start(p);
    const reply = await request(server.url, path);
    expect(reply.body).not.toContain(CONFIG_MARKER);
    expect(reply.body).not.toContain('root:');
    if (path.includes('app.js?')) expect(reply.status).toBe(200); // the file named before the query, nothing else
    else if (path.startsWith('/host/')) expect(reply.body).toContain('<title>host</title>'); // a page route: the page, whatever the name
    else expect([400, 404]).toContain(reply.status); // 400: the router could not decode it at all
  });

  it('serves what is inside: pages by route, assets under /static with their types', async () => {
    const p = project();
    mkdirSync(join(p.assets, 'css'));
    writeFileSync(join(p.assets, 'css', 'site.css'), 'body{}');
    const server = await start(p);
    const cases: ReadonlyArray<readonly [string, string, string]> = [
      ['/', 'overview', 'text/html'],
      ['/alerts', 'alerts', 'text/html'],
      ['/login', 'login', 'text/html'],
      ['/host/f4', 'host', 'text/html'],
      ['/static/js/app.js', 'console.log', 'text/javascript'],
      ['/static/css/site.css', 'body{}', 'text/css'],
    ];
    for (const [path, content, type] of cases) {
      const reply = await request(server.url, path);
      expect([path, reply.status]).toEqual([path, 200]);
      expect(reply.body).toContain(content);
      expect(reply.headers['content-type']).toContain(type);
    }
  });
});

describe('authentication and roles', () => {
  interface Case {
    readonly name: string;
    readonly send: (ctx: { url: string; viewer: string; admin: string; session: { cookie: string; csrf: string } }) => Promise<Reply>;
    readonly status: number;
  }
  const silence = { host: 'f4', for: '1h', comment: 'kernel update' };
  const CASES: readonly Case[] = [
    { name: 'no credentials', send: ({ url }) => request(url, '/api/v1/hosts'), status: 401 },
    { name: 'no credentials on /metrics', send: ({ url }) => request(url, '/metrics'), status: 401 },
    { name: 'no credentials on /api/v1/events', send: ({ url }) => request(url, '/api/v1/events'), status: 401 },
    { name: 'wrong password (Basic)', send: ({ url }) => request(url, '/api/v1/hosts', { headers: basic('viewer', 'wrong password!') }), status: 401 },
    { name: 'unknown user (Basic)', send: ({ url }) => request(url, '/api/v1/hosts', { headers: basic('nobody', PASSWORD) }), status: 401 },
    { name: 'unknown token', send: ({ url }) => request(url, '/api/v1/hosts', { headers: bearer('mtx_not-a-real-token') }), status: 401 },
    { name: 'unsupported scheme', send: ({ url }) => request(url, '/api/v1/hosts', { headers: { authorization: 'Digest x' } }), status: 401 },
    { name: 'viewer (Basic, loopback)', send: ({ url }) => request(url, '/api/v1/hosts', { headers: basic('viewer', PASSWORD) }), status: 200 },
    { name: 'viewer (bearer)', send: ({ url, viewer }) => request(url, '/api/v1/hosts', { headers: bearer(viewer) }), status: 200 },
    { name: 'viewer (session)', send: ({ url, session }) => request(url, '/api/v1/hosts', { headers: { cookie: session.cookie } }), status: 200 },
    { name: 'viewer reads events (session)', send: ({ url, session }) => request(url, '/api/v1/events?host=f4&kind=host_down&kind=host_up', { headers: { cookie: session.cookie } }), status: 200 },
    { name: 'viewer adds a silence', send: ({ url, viewer }) => request(url, '/api/v1/silences', { method: 'POST', ...withAuth(json(silence), bearer(viewer)) }), status: 403 },
    { name: 'admin adds a silence (bearer)', send: ({ url, admin }) => request(url, '/api/v1/silences', { method: 'POST', ...withAuth(json(silence), bearer(admin)) }), status: 201 },
    { name: 'admin adds a silence (Basic, curl: no Origin)', send: ({ url }) => request(url, '/api/v1/silences', { method: 'POST', ...withAuth(json(silence), basic('admin', PASSWORD)) }), status: 201 },
    {
      name: 'Basic from a browser (Origin) may not change anything',
      send: ({ url }) => request(url, '/api/v1/silences', { method: 'POST', ...withAuth(json(silence), { ...basic('admin', PASSWORD), origin: url }) }),
      status: 403,
    },
    { name: 'session without CSRF header', send: ({ url }) => sessionPost(url, { csrf: false }), status: 403 },
    { name: 'session with a wrong CSRF header', send: ({ url }) => sessionPost(url, { csrf: 'wrong' }), status: 403 },
    { name: 'session with CSRF header', send: ({ url }) => sessionPost(url, {}), status: 201 },
    { name: 'session with CSRF header, foreign Origin', send: ({ url }) => sessionPost(url, { origin: 'https://evil.example' }), status: 403 },
    { name: 'session with CSRF header, own Origin', send: ({ url }) => sessionPost(url, { origin: url }), status: 201 },
    { name: 'login as a form post (text/plain)', send: ({ url }) => request(url, '/api/v1/session', { method: 'POST', body: `user=admin&password=${PASSWORD}`, headers: { 'content-type': 'text/plain' } }), status: 415 },
    { name: 'login from a foreign Origin', send: ({ url }) => request(url, '/api/v1/session', { method: 'POST', ...withAuth(json({ user: 'admin', password: PASSWORD }), { origin: 'https://evil.example' }) }), status: 403 },
    { name: 'session check without a cookie', send: ({ url }) => request(url, '/api/v1/session'), status: 401 },
    { name: 'oversized body', send: ({ url, admin }) => request(url, '/api/v1/silences', { method: 'POST', ...withAuth(json({ ...silence, comment: 'x'.repeat(LIMITS.bodyBytes) }), bearer(admin)) }), status: 413 },
    { name: 'malformed JSON', send: ({ url, admin }) => request(url, '/api/v1/silences', { method: 'POST', body: '{"host":', headers: { 'content-type': 'application/json', ...bearer(admin) } }), status: 400 },
    { name: 'unknown API route', send: ({ url, viewer }) => request(url, '/api/v1/nope', { headers: bearer(viewer) }), status: 404 },
    { name: 'unknown host', send: ({ url, viewer }) => request(url, '/api/v1/hosts/nope', { headers: bearer(viewer) }), status: 404 },
    { name: 'bad query parameter', send: ({ url, viewer }) => request(url, '/api/v1/query?host=f4&metric=cpu_percent&since=yesterdayish', { headers: bearer(viewer) }), status: 400 },
  ];

  function withAuth(base: { body: string; headers: Record<string, string> }, extra: Record<string, string>): { body: string; headers: Record<string, string> } {
    return { body: base.body, headers: { ...base.headers, ...extra } };
  }

  /** Signs the admin in, then posts a silence with the cookie: CSRF header as told. */
  async function sessionPost(url: string, how: { csrf?: string | false; origin?: string }): Promise<Reply> {
    const session = await signIn(url, 'admin');
    const headers: Record<string, string> = { cookie: session.cookie };
    if (how.csrf !== false) headers['x-csrf-token'] = how.csrf ?? session.csrf;
    if (how.origin) headers['origin'] = how.origin;
    return request(url, '/api/v1/silences', { method: 'POST', ...withAuth(json(silence), headers) });
  }

  it.each(CASES)('$name → $status', async ({ send, status }) => {
    const p = project();
    const viewer = await addUser(p, 'viewer', 'viewer');
    const admin = await addUser(p, 'admin', 'admin');
    const server = await start(p);
    const session = await signIn(server.url, 'viewer');
    const reply = await send({ url: server.url, viewer, admin, session });
    expect(reply.status, reply.body).toBe(status);
    if (status >= 400) {
      expect(reply.headers['content-type']).toContain('application/json');
      expect(JSON.parse(reply.body).error.message).toEqual(expect.any(String));
    }
  });

  it('credentials over plain HTTP on a non-loopback connection are refused (the socket address decides), over TLS accepted', async () => {
    const address = nonLoopbackAddress();
    const p = project();
    const token = await addUser(p, 'viewer', 'viewer');
    const plain = await start(p, { host: address });
    const tls = selfSigned(p.dir, address);
    const secure = await start(p, { host: address, tls });
    const cases: ReadonlyArray<readonly [string, Promise<Reply>, number]> = [
      ['Basic, plain, non-loopback', request(plain.url, '/api/v1/hosts', { headers: basic('viewer', PASSWORD) }), 403],
      ['bearer, plain, non-loopback', request(plain.url, '/api/v1/hosts', { headers: bearer(token) }), 403],
      ['login, plain, non-loopback', request(plain.url, '/api/v1/session', { method: 'POST', ...json({ user: 'viewer', password: PASSWORD }) }), 403],
      ['Basic, TLS, non-loopback', request(secure.url, '/api/v1/hosts', { headers: basic('viewer', PASSWORD), ca: tls.cert }), 200],
      ['bearer, TLS, non-loopback', request(secure.url, '/api/v1/hosts', { headers: bearer(token), ca: tls.cert }), 200],
    ];
    for (const [name, reply, status] of cases) expect([name, (await reply).status]).toEqual([name, status]);
  });

  it('a user removed while signed in loses the session', async () => {
    const p = project();
    await addUser(p, 'viewer', 'viewer');
    const server = await start(p);
    const session = await signIn(server.url, 'viewer');
    expect((await request(server.url, '/api/v1/session', { headers: { cookie: session.cookie } })).status).toBe(200);
    const { withStore } = await import('./harness.js');
    withStore(p, (store) => store.users.remove('viewer'));
    expect((await request(server.url, '/api/v1/hosts', { headers: { cookie: session.cookie } })).status).toBe(401);
  });

  it('a token revoked, a user demoted or removed while the server runs: the next request says so', async () => {
    const p = project();
    const token = await addUser(p, 'admin', 'admin');
    const other = await addUser(p, 'viewer', 'viewer');
    const server = await start(p);
    const { withStore } = await import('./harness.js');
    const silences = (t: string) => request(server.url, '/api/v1/silences', { method: 'POST', headers: { ...bearer(t), 'content-type': 'application/json' }, body: JSON.stringify({ host: 'f4', for: '1h', comment: 'x' }) });
    // Known (and remembered) first.
    expect((await silences(token)).status).toBe(201);
    expect((await request(server.url, '/api/v1/hosts', { headers: bearer(token) })).status).toBe(200);
    expect((await request(server.url, '/api/v1/hosts', { headers: bearer(other) })).status).toBe(200);
    withStore(p, (store) => store.users.put('admin', 'viewer', store.users.find('admin')!.password, Date.now()));
    expect((await silences(token)).status).toBe(403);
    withStore(p, (store) => store.users.revokeTokens(store.users.find('admin')!.id, Date.now()));
    expect((await request(server.url, '/api/v1/hosts', { headers: bearer(token) })).status).toBe(401);
    withStore(p, (store) => store.users.remove('viewer'));
    expect((await request(server.url, '/api/v1/hosts', { headers: bearer(other) })).status).toBe(401);
  });

  it('signing out ends the session (and needs the CSRF token)', async () => {
    const p = project();
    await addUser(p, 'viewer', 'viewer');
    const server = await start(p);
    const session = await signIn(server.url, 'viewer');
    expect((await request(server.url, '/api/v1/session', { method: 'DELETE', headers: { cookie: session.cookie } })).status).toBe(403);
    const out = await request(server.url, '/api/v1/session', { method: 'DELETE', headers: { cookie: session.cookie, 'x-csrf-token': session.csrf } });
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await request(server.url, '/api/v1/hosts', { headers: { cookie: session.cookie } })).status).toBe(401);
  });

  it('session cookie: HttpOnly, SameSite=Strict, expiring; Secure only under TLS', async () => {
    const p = project();
    await addUser(p, 'viewer', 'viewer');
    const tls = selfSigned(p.dir);
    for (const [server, ca] of [[await start(p), undefined], [await start(p, { tls }), tls.cert]] as const) {
      const reply = await request(server.url, '/api/v1/session', { method: 'POST', ...json({ user: 'viewer', password: PASSWORD }), ...(ca ? { ca } : {}) });
      const cookie = String(reply.headers['set-cookie']);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toMatch(/Max-Age=\d+/);
      expect(/; Secure/.test(cookie)).toBe(ca !== undefined);
    }
  });
});

describe('failed logins are rate-limited (fake clock)', () => {
  it('per user: the 6th attempt in 15 minutes is 429 with Retry-After, even with the right password; later it works', async () => {
    const p = project();
    await addUser(p, 'admin', 'admin');
    let now = Date.parse('2026-11-22T08:00:00Z');
    const clock = (): number => now;
    const server = await start(p, { clock, limiter: new LoginLimiter(clock) });
    const login = (password: string): Promise<Reply> => request(server.url, '/api/v1/session', { method: 'POST', ...json({ user: 'admin', password }) });
    for (let i = 0; i < 5; i++) expect((await login('wrong password')).status).toBe(401);
    const limited = await login(PASSWORD);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBe(15 * 60);
    // Basic counts against the same limit.
    expect((await request(server.url, '/api/v1/hosts', { headers: basic('admin', PASSWORD) })).status).toBe(429);
    now += 15 * 60_000 + 1;
    expect((await login(PASSWORD)).status).toBe(200);
  });

  it('per client address: guessing across many names is stopped too', async () => {
    const p = project();
    let now = 0;
    const clock = (): number => now;
    const server = await start(p, { clock, limiter: new LoginLimiter(clock, { windowMs: 60_000, perUser: 100, perAddress: 3, maxKeys: 100 }) });
    const statuses: number[] = [];
    for (const user of ['a', 'b', 'c', 'd']) statuses.push((await request(server.url, '/api/v1/session', { method: 'POST', ...json({ user, password: 'guess guess' }) })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    now += 60_001;
    expect((await request(server.url, '/api/v1/session', { method: 'POST', ...json({ user: 'e', password: 'guess guess' }) })).status).toBe(401);
  });
});

describe('headers, caching and errors', () => {
  it('security headers on pages, API answers and errors; HSTS only under TLS', async () => {
    const p = project();
    const token = await addUser(p, 'viewer', 'viewer');
    const tls = selfSigned(p.dir);
    const plain = await start(p);
    const secure = await start(p, { tls });
    for (const [server, ca] of [[plain, undefined], [secure, tls.cert]] as const) {
      for (const [path, headers] of [['/', {}], ['/static/js/app.js', {}], ['/api/v1/hosts', bearer(token)], ['/api/v1/hosts', {}], ['/nope', {}]] as const) {
        const reply = await request(server.url, path, { headers, ...(ca ? { ca } : {}) });
        const where = `${server.url}${path} ${reply.status}`;
        expect(reply.headers['content-security-policy'], where).toBe(CSP);
        expect(CSP).toContain("frame-ancestors 'none'");
        expect(CSP).not.toContain('unsafe-inline');
        expect(reply.headers['x-content-type-options'], where).toBe('nosniff');
        expect(reply.headers['referrer-policy'], where).toBe('no-referrer');
        expect(reply.headers['cache-control'], where).toBeDefined();
        expect(reply.headers['strict-transport-security'], where).toBe(ca ? 'max-age=31536000' : undefined);
      }
    }
  });

  it('a GET answered again with its ETag is 304; a change to the data changes the ETag', async () => {
    const p = project();
    const token = await addUser(p, 'viewer', 'viewer');
    const server = await start(p);
    const first = await request(server.url, '/api/v1/hosts', { headers: bearer(token) });
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await request(server.url, '/api/v1/hosts', { headers: { ...bearer(token), 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    const { storeRun, up } = await import('./harness.js');
    storeRun(p, up('f4', Date.now(), [{ m: 'cpu_percent', v: 12 }]));
    const changed = await request(server.url, '/api/v1/hosts', { headers: { ...bearer(token), 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('an internal error is a plain 500 JSON: no stack, no path, no SQL reaches the client; the log has it', async () => {
    const p = project();
    const token = await addUser(p, 'viewer', 'viewer');
    const server = await start(p);
    server.store.close(); // the next read throws inside better-sqlite3
    const reply = await request(server.url, '/api/v1/hosts', { headers: bearer(token) });
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body)).toEqual({ error: { code: 'internal', message: 'internal error (logged on the server)' } });
    expect(reply.body).not.toMatch(/\bat |\.ts|\.js|sqlite|database/i);
    expect(server.logged.join('\n')).toMatch(/\n\s+at /);
  });
});
