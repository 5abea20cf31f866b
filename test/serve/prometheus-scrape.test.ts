import { describe, expect, it, onTestFinished } from 'vitest';
import { prometheusMissing, startPrometheus } from '../farm/prometheus.js';
import { storedPoints } from '../helpers/stored.js';
import { addUser, project, start, storeRun, up, down } from './harness.js';

/**
 * A real Prometheus (Debian's) scrapes metrix's /metrics with a bearer token and then holds
 * what metrix stored: same values, same timestamps, labels host/group/own.
 */
describe.skipIf(prometheusMissing() !== undefined)('a real Prometheus scraping /metrics', () => {
  it('holds the values metrix stored, at the times metrix took them', async () => {
    const p = project([{ name: 'f4', groups: 'compute,gpu' }, { name: 'f5' }]);
    const ts = Date.now() - 60_000;
    storeRun(
      p,
      up('f4', ts, [{ m: 'mem_percent', v: 41.25 }, { m: 'uptime_sec', v: 86_400 }, { m: 'disk_used_percent', v: 77.5, l: { mount: '/scratch "x"' } }]),
      down('f5', ts),
    );
    const token = await addUser(p, 'prometheus', 'viewer');
    const server = await start(p);
    const prometheus = await startPrometheus({ scrape: [{ job: 'metrix', target: new URL(server.url).host, bearerToken: token }] });
    onTestFinished(() => prometheus.stop());

    const [mem] = await prometheus.waitFor('mem_percent{job="metrix"}', (series) => series.length === 1, 60_000);
    const stored = storedPoints(p.database, 'mem_percent');
    expect(stored).toEqual([{ host: 'f4', labels: {}, ts, value: 41.25 }]);
    expect(mem!.metric).toEqual({ __name__: 'mem_percent', host: 'f4', group: 'compute,gpu', job: 'metrix', instance: expect.any(String) });
    // The sample Prometheus holds is the stored one: value and time (a range query over raw samples).
    const raw = await prometheus.query('mem_percent{job="metrix"}[10m]');
    expect(raw[0]!.samples).toEqual([{ t: ts, v: 41.25 }]);

    const disk = await prometheus.query('disk_used_percent{job="metrix"}');
    expect(disk.map((s) => [s.metric['mount'], s.samples[0]!.v])).toEqual([['/scratch "x"', 77.5]]);
    expect((await prometheus.query('uptime_seconds{host="f4"}'))[0]!.samples[0]!.v).toBe(86_400);
    const hostUp = await prometheus.query('host_up{job="metrix"}');
    expect(Object.fromEntries(hostUp.map((s) => [s.metric['host'], s.samples[0]!.v]))).toEqual({ f4: 1, f5: 0 });
    expect((await prometheus.query('metrix_hosts_down{reason="unreachable"}'))[0]!.samples[0]!.v).toBe(1);
    expect((await prometheus.query('up{job="metrix"}'))[0]!.samples[0]!.v).toBe(1);
  });
});
