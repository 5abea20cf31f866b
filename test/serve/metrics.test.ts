import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { POLLER_HOST } from '../../src/alerts/self-monitoring.js';
import { addUser, bearer, down, project, request, start, storeRun, up, withStore } from './harness.js';

const NOW = Date.parse('2026-11-22T08:00:00Z');

describe('GET /metrics', () => {
  it('latest samples with their own times (counters read earlier, host_up of a failed poll), metrix\'s own figures; promtool-clean', async () => {
    const p = project([{ name: 'f4', groups: 'compute' }, { name: 'f5' }, { name: 'never' }]);
    storeRun(p, { ...up('f4', NOW - 60_000, [{ m: 'mem_percent', v: 40 }, { m: 'net_rx_bytes_total', v: 123, l: { iface: 'eth0' } }]), countersTs: NOW - 61_500 }, up('f5', NOW - 60_000, [{ m: 'mem_percent', v: 10 }]));
    storeRun(p, down('f5', NOW - 30_000));
    withStore(p, (store) => store.writeSamples(POLLER_HOST, NOW - 29_000, [{ m: 'metrix_poll_failures', v: 0, l: { reason: 'keys' } }, { m: 'metrix_mail_ok', v: 1 }]));
    const token = await addUser(p, 'prom', 'viewer');
    const server = await start(p, { clock: () => NOW });
    const reply = await request(server.url, '/metrics', { headers: bearer(token) });
    expect(reply.status).toBe(200);
    const lines = reply.body.split('\n');
    expect(lines).toContain(`mem_percent{host="f4",group="compute"} 40 ${NOW - 60_000}`);
    expect(lines).toContain(`net_rx_bytes_total{host="f4",group="compute",iface="eth0"} 123 ${NOW - 61_500}`);
    expect(lines).toContain(`mem_percent{host="f5"} 10 ${NOW - 60_000}`); // the last good values of a host now down
    expect(lines).toContain(`host_up{host="f5"} 0 ${NOW - 30_000}`);
    expect(lines).toContain('metrix_hosts{state="down"} 1');
    expect(lines).toContain('metrix_hosts{state="never polled"} 1');
    expect(lines).toContain('metrix_hosts_down{reason="unreachable"} 1');
    expect(lines).toContain('metrix_outbox_messages 0');
    expect(lines).toContain('metrix_mail_ok 1');
    expect(lines).toContain('metrix_poll_failures{reason="keys"} 0');
    expect(lines.some((line) => line.startsWith('metrix_last_run_timestamp_seconds '))).toBe(true);
    expect(reply.body).not.toContain('never"');
    const promtool = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: reply.body, encoding: 'utf8', timeout: 60_000 });
    expect(`${promtool.stdout}${promtool.stderr}`).toBe('');
    expect(promtool.status).toBe(0);
    // Gzipped when asked (Prometheus does): the same text.
    const gz = await request(server.url, '/metrics', { headers: { ...bearer(token), 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.raw).toString('utf8')).toBe(reply.body);
  });
  it('each answer follows the database: a new poll of one host is shown at once, a change that polled nothing keeps the rest', async () => {
    const p = project([{ name: 'f4', groups: 'compute' }, { name: 'f5' }]);
    storeRun(p, up('f4', NOW - 60_000, [{ m: 'mem_percent', v: 40 }]), up('f5', NOW - 60_000, [{ m: 'mem_percent', v: 10 }]));
    const token = await addUser(p, 'prom', 'viewer');
    const server = await start(p, { clock: () => NOW });
    const get = async (gzip = false) => {
      const reply = await request(server.url, '/metrics', { headers: { ...bearer(token), ...(gzip ? { 'accept-encoding': 'gzip' } : {}) } });
      expect(reply.status).toBe(200);
      return { text: gzip ? gunzipSync(reply.raw).toString('utf8') : reply.body, etag: String(reply.headers['etag']) };
    };
    const first = await get();
    expect((await get(true)).text).toBe(first.text);
    expect((await request(server.url, '/metrics', { headers: { ...bearer(token), 'if-none-match': first.etag } })).status).toBe(304);
    // Only f5 polled again: its new value, f4's kept, gzip and ETag follow.
    storeRun(p, up('f5', NOW - 30_000, [{ m: 'mem_percent', v: 11 }]));
    const second = await get();
    expect(second.text).toContain(`mem_percent{host="f5"} 11 ${NOW - 30_000}`);
    expect(second.text).not.toContain(`mem_percent{host="f5"} 10 `);
    expect(second.text).toContain(`mem_percent{host="f4",group="compute"} 40 ${NOW - 60_000}`);
    expect(second.etag).not.toBe(first.etag);
    expect((await get(true)).text).toBe(second.text);
    expect((await request(server.url, '/metrics', { headers: { ...bearer(token), 'if-none-match': first.etag } })).status).toBe(200);
    // f5 down: host_up 0 from the failed poll, its last good values kept.
    storeRun(p, down('f5', NOW - 10_000));
    const third = await get();
    expect(third.text).toContain(`host_up{host="f5"} 0 ${NOW - 10_000}`);
    expect(third.text).toContain(`mem_percent{host="f5"} 11 ${NOW - 30_000}`);
    expect(third.text).toContain('metrix_hosts{state="down"} 1');
    // A commit that polled no host (a user added): the same page.
    await addUser(p, 'other', 'viewer');
    expect((await get()).text).toBe(third.text);
  });
});
