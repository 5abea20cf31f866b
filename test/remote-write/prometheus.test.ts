import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../farm/hostile.js';
import { prometheusMissing, startPrometheus, type PrometheusServer } from '../farm/prometheus.js';
import { fakeTime, metrix, project, queued, stored } from './harness.js';

const MINUTE = 60_000;

/**
 * Remote write end to end: a real `metrix execute` of this machine, a real Prometheus with its
 * remote-write receiver on, and its HTTP API as the judge of what arrived. The clock is a
 * parameter: runs minutes apart take no waiting, and start in the recent past so Prometheus
 * takes every sample as in order and in bounds.
 */
describe.skipIf(prometheusMissing() !== undefined)('remote write to a real Prometheus', () => {
  let prometheus: PrometheusServer;
  beforeAll(async () => {
    prometheus = await startPrometheus();
  });
  afterAll(async () => prometheus?.stop());

  it('after an execute, Prometheus holds mem_percent{host="localhost"} as metrix stored it', async () => {
    const dir = project(`url="${prometheus.remoteWriteUrl}" labels="site=test"`);
    const time = fakeTime(Date.now() - 30 * MINUTE);
    const run = await metrix(dir, ['execute'], time);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`INFO remote write to ${prometheus.url}: sent \\d+ samples in 1 request \\(\\d+ bytes\\)`));
    const [[ts, value]] = stored(dir, 'localhost', 'mem_percent') as [[number, number]];
    const answer = await prometheus.query('mem_percent{host="localhost"}', ts);
    expect(answer).toEqual([{ metric: { __name__: 'mem_percent', host: 'localhost', site: 'test' }, samples: [{ t: ts, v: value }] }]);
    // Labelled series keep their labels; counters go too.
    expect((await prometheus.query('disk_used_percent{host="localhost",mount="/"}', ts)).length).toBe(1);
    expect((await prometheus.query('cpu_total_jiffies{host="localhost"}', ts)).length).toBe(1);
    // The run's own figures wait in the queue for the next run (they are written after sending).
    expect(queued(dir).rows).toBe(1);
  });

  it('Prometheus stopped mid-stream, then restarted: every sample arrives, in order, none twice', async () => {
    const dir = project(`url="${prometheus.remoteWriteUrl}" timeout="5s"`);
    const time = fakeTime(Date.now() - 20 * MINUTE);
    const runs: number[] = [];
    const execute = async (): Promise<string> => {
      runs.push(time.now());
      const run = await metrix(dir, ['execute'], time);
      expect(run.code).toBe(0);
      time.advance(MINUTE);
      return run.stderr;
    };
    await execute();
    expect(queued(dir).rows).toBe(1);
    await prometheus.halt();
    try {
      for (let i = 0; i < 3; i++) {
        const stderr = await execute();
        expect(stderr).toMatch(new RegExp(`WARN remote write to ${prometheus.url}: sent nothing; stopped: connection refused; \\d+ samples wait in the queue for the next run`));
      }
      // Each run: one host row and metrix's own rows, all still queued.
      expect(queued(dir).rows).toBeGreaterThanOrEqual(7);
      expect(time.slept.filter((ms) => ms >= 1000)).toEqual([1000, 2000, 1000, 2000, 1000, 2000]);
    } finally {
      await prometheus.restart();
    }
    const after = await execute();
    expect(after).toMatch(/INFO remote write to .*: sent \d+ samples in \d+ requests?/);
    expect(queued(dir).rows).toBe(1); // this run's own figures

    const storedMem = stored(dir, 'localhost', 'mem_percent');
    expect(storedMem.map(([ts]) => ts)).toEqual(runs);
    const end = runs[runs.length - 1]!;
    const [series] = await prometheus.query(`mem_percent{host="localhost"}[${runs.length + 1}m]`, end);
    expect(series?.samples.map((s) => [s.t, s.v])).toEqual(storedMem);
    const [count] = await prometheus.query(`count_over_time(mem_percent{host="localhost"}[${runs.length + 1}m])`, end);
    expect(count?.samples[0]?.v).toBe(runs.length);
    // metrix's own figures went too: one poll-failure series per reason, each once per run.
    const [failures] = await prometheus.query(`count_over_time(metrix_poll_failures{host="(metrix)",reason="keys"}[${runs.length + 1}m])`, end);
    expect(failures?.samples[0]?.v).toBe(runs.length);
  });

  it('a store that cannot be reached keeps the queue, and a later run sends it from the oldest', async () => {
    const port = await freePort();
    const dir = project(`url="http://127.0.0.1:${port}/api/v1/write"`);
    const time = fakeTime(Date.now() - 10 * MINUTE);
    await metrix(dir, ['execute'], time);
    const waiting = queued(dir);
    expect(waiting.rows).toBeGreaterThanOrEqual(2);
    project(`url="${prometheus.remoteWriteUrl}"`, dir);
    time.advance(MINUTE);
    await metrix(dir, ['execute'], time);
    const ts = stored(dir, 'localhost', 'mem_percent').map(([t]) => t);
    const [series] = await prometheus.query('mem_percent{host="localhost"}[3m]', time.now());
    expect(series?.samples.map((s) => s.t)).toEqual(ts);
  });
});
