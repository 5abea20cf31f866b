import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/poll/collector-bundle.js';
import { track, untrack } from '../farm/processes.js';
import { prometheusMissing, startPrometheus, type PrometheusServer } from '../farm/prometheus.js';
import { tempDir } from '../helpers/tmp.js';
import { startRun, type RunHandle } from '../run/harness.js';
import { forward, startFakeStore, type FakeStore, type Received } from './fake-store.js';
import { fakeTime, metrix, project, queued, stored } from './harness.js';

const MINUTE = 60_000;

const stores: FakeStore[] = [];
const runs: RunHandle[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) {
    run.signal('SIGTERM');
    run.signal('SIGTERM');
    await run.done.catch(() => undefined);
  }
  await Promise.all(stores.splice(0).map((store) => store.stop()));
});

async function fakeStore(reply?: FakeStore['reply']): Promise<FakeStore> {
  const store = await startFakeStore(reply);
  stores.push(store);
  return store;
}

/** Every (series, timestamp) a store received, as `labels@ts`, in the order received. */
function samplesOf(received: readonly Received[]): string[] {
  return received.flatMap((request) => request.series.flatMap((series) => series.samples.map((sample) => `${JSON.stringify(series.labels)}@${sample.timestamp}`)));
}

describe.skipIf(prometheusMissing() !== undefined)('remote write: an answer lost on the way back', () => {
  let prometheus: PrometheusServer;
  beforeAll(async () => {
    prometheus = await startPrometheus();
  });
  afterAll(async () => prometheus?.stop());

  it('Prometheus answers a request sent again with 204 and keeps each sample once; the queue moves on', async () => {
    // Three runs queue while the store is down; then the first request reaches Prometheus, which
    // stores it, but its answer is lost (the connection is cut): metrix sends it again.
    let lost = 0;
    const proxy = await fakeStore(async (request) => {
      if (proxyDown) return { status: 503 };
      const answer = await forward(prometheus.remoteWriteUrl, request);
      if (lost++ === 0) return 'hang-up';
      return { status: answer.status, body: answer.body };
    });
    let proxyDown = true;
    const dir = project(`url="${proxy.url}"`);
    const time = fakeTime(Date.now() - 15 * MINUTE);
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      starts.push(time.now());
      await metrix(dir, ['execute'], time);
      time.advance(MINUTE);
    }
    proxyDown = false;
    const before = proxy.received.length;
    starts.push(time.now());
    const run = await metrix(dir, ['execute'], time);
    expect(run.code).toBe(0);
    const sent = proxy.received.slice(before);
    // The request whose answer was lost went twice, byte for byte; then the rest, each once.
    expect(sent[1]!.body.equals(sent[0]!.body)).toBe(true);
    expect(run.stderr).toMatch(/INFO remote write to .*: sent \d+ samples in \d+ requests?/);
    expect(queued(dir).rows).toBe(1);
    const end = starts[starts.length - 1]!;
    const [series] = await prometheus.query(`mem_percent{host="localhost"}[10m]`, end);
    expect(series?.samples.map((s) => [s.t, s.v])).toEqual(stored(dir, 'localhost', 'mem_percent'));
    expect(series?.samples.map((s) => s.t)).toEqual(starts);
  });
});

describe('remote write: two pollers on one database', () => {
  it('a cron execute and another at the same moment: the run lock lets one send at a time, and no sample goes twice', async () => {
    const store = await fakeStore();
    const dir = project(`url="${store.url}"`);
    const bin = join(packageRoot(), 'bin', 'metrix.js');
    const execute = (): Promise<{ code: number | null; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [bin, 'execute', '--wait', '60s'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
        if (child.pid !== undefined) track(child.pid);
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        child.once('close', (code) => {
          if (child.pid !== undefined) untrack(child.pid);
          resolve({ code, stderr });
        });
      });
    // A first run makes the keys and the database (two first runs at once race to make the keys).
    expect((await metrix(dir, ['execute'], fakeTime(Date.now() - MINUTE))).code).toBe(0);
    const results = await Promise.all([execute(), execute()]);
    expect(results.map((r) => r.code), results.map((r) => r.stderr).join('\n')).toEqual([0, 0]);
    const all = samplesOf(store.received);
    expect(all.length).toBeGreaterThan(0);
    expect(new Set(all).size).toBe(all.length);
    // Every run's poll arrived.
    expect(stored(dir, 'localhost', 'mem_percent')).toHaveLength(3);
    const mem = all.filter((key) => key.includes('"mem_percent"'));
    expect(mem).toHaveLength(3);
  });
});

describe('remote write under metrix run', () => {
  function writeConfig(dir: string, remoteWrite: string): void {
    writeFileSync(join(dir, 'config.xml'), `<metrix><hosts><host name="a" transport="local"/></hosts><remoteWrite ${remoteWrite}/></metrix>`);
  }

  it('each cycle sends what it stored: every sample once, in order', async () => {
    const store = await fakeStore();
    const dir = tempDir();
    writeConfig(dir, `url="${store.url}"`);
    const run = startRun(dir, ['--every', '10s']);
    runs.push(run);
    await run.waitForCycle(4);
    await run.waitFor(/INFO cycle 4: [^\n]*\n(.*\n)*.*remote write to/);
    run.signal('SIGTERM');
    expect(await run.done).toBe(0);
    const all = samplesOf(store.received);
    expect(new Set(all).size).toBe(all.length);
    const mem = store.received.flatMap((r) => r.series.filter((s) => s.labels[0]![1] === 'mem_percent').map((s) => s.samples[0]!.timestamp));
    const polls = stored(dir, 'a', 'mem_percent').map(([ts]) => ts);
    expect(mem).toEqual(polls.slice(0, mem.length));
    expect(mem.length).toBeGreaterThanOrEqual(4);
    // The cycle's own figure went with it.
    expect(all.some((key) => key.includes('"metrix_cycle_duration_sec"'))).toBe(true);
  });

  it('a store that never answers costs a cycle at most half its wait: the next cycles start on time', async () => {
    const store = await fakeStore(() => new Promise(() => undefined));
    const dir = tempDir();
    writeConfig(dir, `url="${store.url}" timeout="1m"`);
    const run = startRun(dir, ['--every', '4s']);
    runs.push(run);
    await run.waitForCycle(3);
    run.signal('SIGTERM');
    expect(await run.done).toBe(0);
    const waits = [...run.stderr().matchAll(/stopped: no answer within ([\d.]+)s \(timeout\)/g)].map((m) => Number(m[1]));
    expect(waits.length).toBeGreaterThanOrEqual(2);
    for (const wait of waits) expect(wait).toBeLessThanOrEqual(2);
    expect(run.stderr()).not.toMatch(/ran past the next start/);
  });
});
