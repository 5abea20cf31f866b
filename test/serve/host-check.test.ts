import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { MetrixError } from '../../src/errors.js';
import { addUser, bearer, project, request, start } from './harness.js';

describe('a request must name this server in its Host (DNS rebinding)', () => {
  it.each([
    ['evil.example', 421],
    ['evil.example:PORT', 421],
    ['localhost.evil.example', 421],
    ['monitor.example.org.evil.example', 421],
    ['127.0.0.1:PORT', 200],
    ['localhost:PORT', 200],
    ['LOCALHOST', 200],
    ['[::1]:PORT', 200],
    ['10.1.2.3:8080', 200],
    ['monitor.example.org', 200],
    ['Monitor.Example.ORG.:8443', 200],
    ['grafana.example.org', 200],
  ])('Host: %s → %i, pages and API alike', async (host, status) => {
    const p = project(undefined, '  <web hosts="monitor.example.org"/>\n');
    const token = await addUser(p, 'viewer', 'viewer');
    const server = await start(p, { hostNames: ['grafana.example.org'] });
    const header = host.replace('PORT', new URL(server.url).port);
    for (const path of ['/', '/api/v1/hosts']) {
      const reply = await request(server.url, path, { headers: { host: header, ...bearer(token) } });
      expect([path, reply.status]).toEqual([path, status]);
      if (status === 421) {
        expect(JSON.parse(reply.body).error).toEqual({ code: 'misdirected', message: expect.stringMatching(/is not a name of this server; add it with --host-name or <web hosts="…">/) });
        expect(reply.headers['content-security-policy']).toBeDefined();
      }
    }
  });

  it('<web hosts> takes DNS names only: a bad one is a config problem', () => {
    const p = project(undefined, '  <web hosts="monitor.example.org, bad name!,10.0.0.1"/>\n');
    let error: unknown;
    try {
      loadConfig(p.configPath);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MetrixError);
    expect((error as MetrixError).details).toEqual([expect.stringMatching(/<web> hosts=.*"bad name!", "10\.0\.0\.1": not a host name/)]);
  });
});
