import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../farm/processes.js';
import { prometheusMissing, startPrometheus, type PrometheusServer } from '../farm/prometheus.js';

describe.skipIf(prometheusMissing() !== undefined)('the Prometheus test harness', () => {
  let prometheus: PrometheusServer;
  beforeAll(async () => {
    prometheus = await startPrometheus();
  });
  afterAll(async () => prometheus?.stop());

  it('answers instant and range queries on 127.0.0.1 and keeps its port and data across a restart', async () => {
    const [scalar] = await prometheus.query('vector(42)', 1_700_000_000_000);
    expect(scalar?.samples).toEqual([{ t: 1_700_000_000_000, v: 42 }]);
    const range = await prometheus.queryRange('vector(1)', 1_700_000_000_000, 1_700_000_060_000, 30);
    expect(range[0]?.samples.map((s) => s.t)).toEqual([1_700_000_000_000, 1_700_000_030_000, 1_700_000_060_000]);
    const before = prometheus.pid;
    await prometheus.restart();
    expect(isAlive(before)).toBe(false);
    expect(prometheus.pid).not.toBe(before);
    expect(await prometheus.query('vector(1)')).toHaveLength(1);
    expect(prometheus.remoteWriteUrl).toBe(`http://127.0.0.1:${prometheus.port}/api/v1/write`);
  });

  it('scrapes the jobs it is given and leaves no process when stopped', async () => {
    // A second Prometheus scrapes the first: a scrape job and waitFor, without metrix.
    const self = await startPrometheus({ scrape: [{ job: 'self', target: `127.0.0.1:${prometheus.port}` }] });
    try {
      const up = await self.waitFor('up{job="self"}', (s) => s[0]?.samples[0]?.v === 1);
      expect(up[0]?.metric['instance']).toBe(`127.0.0.1:${prometheus.port}`);
    } finally {
      const pid = self.pid;
      await self.stop();
      expect(isAlive(pid)).toBe(false);
    }
  });
});
