import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { addUser, bearer, project, request, start, up } from './harness.js';

/** serve reads while the poller writes: its reads never make the poller's writes wait (WAL readers take no lock a writer needs). */
describe('metrix serve beside a running poller', () => {
  it('a writer that may not wait at all (busy timeout 0) stores every run while the API and /metrics are read', async () => {
    const p = project([{ name: 'f4' }, { name: 'f5' }]);
    const token = await addUser(p, 'viewer', 'viewer');
    const server = await start(p);
    const writer = Store.open(p.database, { busyTimeoutMs: 0 });
    try {
      const base = Date.now() - 100 * 60_000;
      let stored = 0;
      for (let i = 0; i < 20; i++) {
        const reads = ['/api/v1/hosts', '/metrics', '/api/v1/hosts/f4', `/api/v1/query?host=f4&metric=mem_percent&since=2h`].map((path) => request(server.url, path, { headers: bearer(token) }));
        const ts = base + i * 60_000;
        writer.writeRun({ startedAt: ts, finishedAt: ts, polls: [up('f4', ts, [{ m: 'mem_percent', v: i }]), up('f5', ts)] });
        stored++;
        for (const reply of await Promise.all(reads)) expect(reply.status).toBe(200);
      }
      expect(stored).toBe(20);
      const last = JSON.parse((await request(server.url, '/api/v1/query?host=f4&metric=mem_percent&since=2h', { headers: bearer(token) })).body) as { series: Array<{ points: number[][] }> };
      expect(last.series[0]!.points.map((point) => point[1])).toEqual(Array.from({ length: 20 }, (_, i) => i));
    } finally {
      writer.close();
    }
  });
});
