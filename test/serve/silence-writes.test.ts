import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { addUser, bearer, json, project, request, start, up, storeRun } from './harness.js';

const NOW = Date.parse('2026-11-22T08:00:00Z');

describe('adding a silence while the poller holds the write lock', () => {
  it('waits without stopping the server: other requests are answered meanwhile; it is stored once the lock is free', async () => {
    const p = project();
    storeRun(p, up('f4', NOW - 60_000));
    const admin = await addUser(p, 'root', 'admin');
    const server = await start(p, { clock: () => NOW });
    // A poller in the middle of storing its run.
    const poller = new Database(p.database);
    poller.exec('BEGIN IMMEDIATE');
    let settled = false;
    const post = request(server.url, '/api/v1/silences', { method: 'POST', ...json({ host: 'f4', for: '1h', comment: 'kernel update' }), headers: { 'content-type': 'application/json', ...bearer(admin) } });
    void post.finally(() => (settled = true));
    const hosts = await request(server.url, '/api/v1/hosts', { headers: bearer(admin) });
    expect(hosts.status).toBe(200);
    expect(settled).toBe(false);
    poller.exec('COMMIT');
    poller.close();
    const created = await post;
    expect(created.status, created.body).toBe(201);
    const listed = JSON.parse((await request(server.url, '/api/v1/silences', { headers: bearer(admin) })).body) as { silences: unknown[] };
    expect(listed.silences).toHaveLength(1);
  });
});
