import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { killQuietly, track, untrack } from '../farm/processes.js';
import { addUser, CONFIG_MARKER, project, request, selfSigned, storeRun, up, type Project, basic, PASSWORD } from './harness.js';

/**
 * The issue's "done means", on the real `bin/metrix.js serve` process (build first): HTTPS with
 * a self-signed cert made by openssl; 401 without credentials; a viewer's JSON and CSV; 304
 * with the ETag; traversal never returns the config; /metrics passes the real promtool; SIGTERM
 * stops it cleanly. Plus its exits 2 for bad flags, bad cert files and a port in use.
 */
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'metrix.js');
const DEADLINE_MS = 60_000;

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stderr: () => string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

/** Starts `metrix serve ARGS` and waits (with a deadline) for its "serving" line. */
function serve(p: Project, args: readonly string[]): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--assets', p.assets, ...args], { cwd: p.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child.pid!);
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => (untrack(child.pid!), resolve(code))));
  onTestFinished(() => killQuietly(child.pid!, 'SIGKILL'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within ${DEADLINE_MS} ms: ${err}`)), DEADLINE_MS);
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const match = /serving (https?:\/\/\S+)/.exec(err);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, stderr: () => err, exited });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code} before serving: ${err}`));
    });
  });
}

function promtool(text: string): string {
  const result = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: DEADLINE_MS });
  return `${result.stdout}${result.stderr}${result.status === 0 ? '' : `exit ${result.status}`}`;
}

describe('metrix serve, the real process', () => {
  it('done means: HTTPS with a self-signed cert, 401, JSON, CSV, 304, no traversal, promtool-clean /metrics, SIGTERM exits 0', async () => {
    const p = project([{ name: 'localhost', groups: 'master' }, { name: 'f4' }]);
    const now = Date.now();
    storeRun(p, up('localhost', now - 60_000, [{ m: 'mem_percent', v: 41.5 }, { m: 'cpu_percent', v: 3 }, { m: 'disk_used_percent', v: 12, l: { mount: '/' } }]), up('f4', now - 60_000, [{ m: 'mem_percent', v: 7 }]));
    const token = await addUser(p, 'viewer', 'viewer');
    const tls = selfSigned(p.dir);
    const served = await serve(p, ['--listen', '127.0.0.1:0', '--cert', tls.certFile, '--key', tls.keyFile]);
    expect(served.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = tls.cert;

    expect((await request(served.url, '/api/v1/hosts', { ca })).status).toBe(401);
    const hosts = await request(served.url, '/api/v1/hosts', { ca, headers: basic('viewer', PASSWORD) });
    expect(hosts.status).toBe(200);
    expect((JSON.parse(hosts.body) as { hosts: Array<{ host: string }> }).hosts.map((h) => h.host).sort()).toEqual(['f4', 'localhost']);
    expect(hosts.headers['strict-transport-security']).toBe('max-age=31536000');
    const csv = await request(served.url, '/api/v1/hosts?format=csv', { ca, headers: basic('viewer', PASSWORD) });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[0]).toMatch(/^host,groups,state,/);
    const again = await request(served.url, '/api/v1/hosts', { ca, headers: { ...basic('viewer', PASSWORD), 'if-none-match': String(hosts.headers.etag) } });
    expect(again.status).toBe(304);

    for (const path of ['/static/..%2f..%2fconfig.xml', '/static/../../config.xml', '/static/%252e%252e%252f%252e%252e%252fconfig.xml', '/static/..%5c..%5cconfig.xml']) {
      const reply = await request(served.url, path, { ca });
      expect([path, reply.status]).toEqual([path, 404]);
      expect(reply.body).not.toContain(CONFIG_MARKER);
    }

    const metrics = await request(served.url, '/metrics', { ca, headers: { authorization: `Bearer ${token}` } });
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(metrics.body).toMatch(/^mem_percent\{host="localhost",group="master"\} 41\.5 \d+$/m);
    expect(promtool(metrics.body)).toBe('');

    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
    expect(served.stderr()).toMatch(/SIGTERM: finishing requests in flight, then stopping\n.*stopped\n$/);
  });

  it.each([
    ['a listen address that is not one', ['--listen', 'localhost'], /--listen "localhost": expected HOST:PORT/],
    ['a cert without a key', ['--cert', 'tls.crt'], /give both --cert and --key/],
    ['a cert file that is missing', ['--cert', 'missing.crt', '--key', 'missing.key'], /--cert .*missing\.crt: ENOENT/],
    ['a cert file that is not PEM', ['--cert', 'config.xml', '--key', 'config.xml'], /--cert .*config\.xml: not a PEM file/],
    ['plain HTTP on every interface', ['--listen', '0.0.0.0:0'], /without TLS would send passwords in clear text.*--insecure-listen/],
    ['an unknown flag', ['--port', '80'], /unknown option '--port'/],
  ])('exit 2 for %s', (_name, args, message) => {
    const p = project();
    const result = spawnSync(process.execPath, [BIN, 'serve', ...args], { cwd: p.dir, encoding: 'utf8', timeout: DEADLINE_MS });
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.status).toBe(2);
  });

  it('exit 2 for a port in use, and for a key that does not belong to the cert', async () => {
    const p = project();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => void blocker.close());
    const port = (blocker.address() as { port: number }).port;
    const inUse = spawnSync(process.execPath, [BIN, 'serve', '--listen', `127.0.0.1:${port}`], { cwd: p.dir, encoding: 'utf8', timeout: DEADLINE_MS });
    expect(inUse.stderr).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the address is in use`));
    expect(inUse.status).toBe(2);
    const tls = selfSigned(p.dir);
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', join(p.dir, 'other.key')], { stdio: 'pipe', timeout: DEADLINE_MS });
    const mismatch = spawnSync(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--cert', tls.certFile, '--key', join(p.dir, 'other.key')], { cwd: p.dir, encoding: 'utf8', timeout: DEADLINE_MS });
    expect(mismatch.stderr).toMatch(/not a usable certificate and key/);
    expect(mismatch.status).toBe(2);
  });

  it('<web listen insecure> in config.xml: plain HTTP on a reachable address when told so', async () => {
    const p = project([{ name: 'f4' }], '  <web listen="0.0.0.0:0" insecure="true"/>\n');
    const served = await serve(p, []);
    expect(served.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    const port = new URL(served.url).port;
    expect((await request(`http://127.0.0.1:${port}`, '/')).status).toBe(200);
    served.child.kill('SIGINT');
    expect(await served.exited).toBe(0);
  });
});
