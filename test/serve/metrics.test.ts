import { spawnSync } from 'node:child_process';
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
  });
});
