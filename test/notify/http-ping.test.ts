import { afterEach, describe, expect, it } from 'vitest';
import { makeCertificate } from '../mail/smtp-server.js';
import { tempDir } from '../helpers/tmp.js';
import { metrixVersion } from '../../src/cli/version.js';
import { httpPing, MAX_REDIRECTS } from '../../src/notify/http-ping.js';
import { answer, closedPort, silent, startPingServer, type Handler, type PingServer } from './ping-server.js';

/** The ping on its own, against a real HTTP server on 127.0.0.1. */
const TOKEN = 'S3CRET-T0KEN';
const USER_AGENT = `metrix/${metrixVersion()}`;

const servers: PingServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(handle?: Handler, tls?: { key: Buffer; cert: Buffer }): Promise<PingServer> {
  const started = await startPingServer(handle, tls);
  servers.push(started);
  return started;
}

const ping = (url: string, timeoutMs = 5000, signal?: AbortSignal) => httpPing(url, { timeoutMs, userAgent: USER_AGENT, ...(signal ? { signal } : {}) });

const redirect = (status: number, location: string): Handler => (_req, res) => {
  res.writeHead(status, { location });
  res.end();
};

/** Sends headers and then body bytes for as long as the client reads them. */
const endless: Handler = (_req, res) => {
  res.writeHead(200);
  const chunk = Buffer.alloc(16 * 1024, 'x');
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
};

/** Sends headers and one byte of body, then nothing more. */
const stalled: Handler = (_req, res) => {
  res.writeHead(200, { 'content-length': '100' });
  res.write('x');
};

describe('httpPing', () => {
  it('sends one GET to the path and query given, as metrix/<version>', async () => {
    const hc = await server();
    expect(await ping(`${hc.origin}/ping/${TOKEN}?rid=7`)).toEqual({ ok: true, status: 200 });
    expect(hc.requests).toEqual([{ method: 'GET', path: `/ping/${TOKEN}?rid=7`, userAgent: USER_AGENT }]);
    expect(USER_AGENT).toMatch(/^metrix\/\d+\.\d+\.\d+/);
  });

  it.each([
    [200, { ok: true, status: 200 }],
    [204, { ok: true, status: 204 }],
    [299, { ok: true, status: 299 }],
    [304, { ok: false, reason: 'HTTP 304' }],
    [404, { ok: false, reason: 'HTTP 404' }],
    [500, { ok: false, reason: 'HTTP 500' }],
    [503, { ok: false, reason: 'HTTP 503' }],
  ])('HTTP %i reads as %j', async (status, result) => {
    const hc = await server(answer(status, 'body'));
    expect(await ping(`${hc.origin}/${TOKEN}`)).toEqual(result);
  });

  it(`follows up to ${MAX_REDIRECTS} redirects, relative or absolute, keeping GET`, async () => {
    const hc = await server((req, res) => {
      const hops: Record<string, Handler> = {
        '/a': redirect(301, '/b'),
        '/b': redirect(302, `${hc.origin}/c`),
        '/c': redirect(308, 'd'),
      };
      (hops[req.url ?? ''] ?? answer(200))(req, res);
    });
    expect(await ping(`${hc.origin}/a`)).toEqual({ ok: true, status: 200 });
    expect(hc.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /a', 'GET /b', 'GET /c', 'GET /d']);
  });

  it('gives up past the redirect limit', async () => {
    const hc = await server((req, res) => redirect(307, `/${Number(req.url?.slice(1)) + 1}`)(req, res));
    expect(await ping(`${hc.origin}/0`)).toEqual({ ok: false, reason: `more than ${MAX_REDIRECTS} redirects (last: HTTP 307)` });
    expect(hc.requests).toHaveLength(MAX_REDIRECTS + 1);
  });

  it.each<[string, Handler, string]>([
    ['to ftp:', redirect(302, 'ftp://hc.example.org/x'), 'HTTP 302 to a ftp: URL (only http and https are followed)'],
    ['to nowhere', (_req, res) => res.writeHead(301).end(), 'HTTP 301 without a Location to follow'],
  ])('refuses a redirect it cannot follow: %s', async (_label, handle, reason) => {
    const hc = await server(handle);
    expect(await ping(`${hc.origin}/${TOKEN}`)).toEqual({ ok: false, reason });
    expect(hc.requests).toHaveLength(1);
  });

  it('drains only the start of an endless answer', async () => {
    const hc = await server(endless);
    expect(await ping(`${hc.origin}/${TOKEN}`)).toEqual({ ok: true, status: 200 });
  }, 10_000);

  it('refuses an HTTPS watcher whose certificate it cannot verify, and says why', async () => {
    const hc = await server(answer(200), makeCertificate(tempDir()));
    const result = await ping(`${hc.origin}/${TOKEN}`);
    expect(result).toEqual({ ok: false, reason: 'self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)' });
    expect(hc.requests).toEqual([]);
  });

  it('refuses an answer with oversized headers', async () => {
    const hc = await server((_req, res) => res.writeHead(200, { 'x-padding': 'x'.repeat(20_000) }).end());
    expect(await ping(`${hc.origin}/${TOKEN}`)).toEqual({ ok: false, reason: 'answer headers larger than 16 KiB' });
  });

  it('says the connection was refused', async () => {
    expect(await ping(`http://127.0.0.1:${await closedPort()}/${TOKEN}`)).toEqual({ ok: false, reason: 'connection refused' });
  });

  it.each([
    ['no answer at all', silent],
    ['headers, then a body that stops', stalled],
  ])('gives up at the deadline: %s', async (_label, handle) => {
    const hc = await server(handle);
    expect(await ping(`${hc.origin}/${TOKEN}`, 300)).toEqual({ ok: false, reason: 'no answer within 300ms (timeout)' });
    expect(hc.requests).toHaveLength(1);
  });

  it('stops when its signal fires, and does not start when it already has', async () => {
    const hc = await server(silent);
    const stop = new AbortController();
    const pinging = ping(`${hc.origin}/${TOKEN}`, 60_000, stop.signal);
    await hc.received(1);
    stop.abort();
    expect(await pinging).toEqual({ ok: false, reason: 'stopped by a signal' });
    expect(await ping(`${hc.origin}/${TOKEN}`, 60_000, stop.signal)).toEqual({ ok: false, reason: 'stopped before it was sent' });
    expect(hc.requests).toHaveLength(1);
  });
});
