import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { metrixVersion } from '../../src/cli/version.js';
import { startFakeStore, hostsOf, type FakeStore } from './fake-store.js';
import { fakeTime, metrix, project, queued, stored } from './harness.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * What metrix does with each kind of answer, against a fake store on 127.0.0.1 that decodes
 * every request with the tests' own protobuf reader and snappy decoder. `metrix execute` of
 * this machine, on a clock whose sleeps (the backoff) take no time.
 */
const MINUTE = 60_000;
const TOKEN = 'T0KEN-in-the-path';

const stores: FakeStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.stop()));
});

/** Everything queued by one run goes in its first request. */
const queuedBefore = (store: FakeStore): number => store.received[0]!.series.length;

async function fakeStore(reply?: FakeStore['reply']): Promise<FakeStore> {
  const store = await startFakeStore(reply);
  stores.push(store);
  return store;
}

describe('remote write: what metrix sends', () => {
  it('a WriteRequest as the spec says: headers, snappy, one sample per series at the poll time, labels sorted with __name__ first', async () => {
    const store = await fakeStore();
    const dir = project(`url="${store.url}?token=${TOKEN}" labels="site=jinr,cluster=tier1"`);
    const time = fakeTime(Date.now());
    const run = await metrix(dir, ['execute'], time);
    expect(run.code).toBe(0);
    expect(store.received).toHaveLength(1);
    const [request] = store.received;
    expect(request!.headers).toMatchObject({
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
      'user-agent': `metrix/${metrixVersion()}`,
    });
    expect(request!.headers.authorization).toBeUndefined();
    for (const series of request!.series) {
      const names = series.labels.map(([name]) => name);
      expect(names[0]).toBe('__name__');
      expect(names).toEqual([...names].sort());
      expect(series.labels).toContainEqual(['site', 'jinr']);
      expect(series.samples).toHaveLength(1);
    }
    const mem = request!.series.find((s) => s.labels[0]![1] === 'mem_percent');
    const [[ts, value]] = stored(dir, 'localhost', 'mem_percent') as [[number, number]];
    expect(mem).toEqual({ labels: [['__name__', 'mem_percent'], ['cluster', 'tier1'], ['host', 'localhost'], ['site', 'jinr']], samples: [{ value, timestamp: ts }] });
    expect(hostsOf(request!).sort()).toEqual(['(metrix)', 'localhost']);
    // The URL's path and query may hold a secret: logs name the origin only.
    expect(run.stderr).not.toContain(TOKEN);
  });

  it('a bearer token or a Basic password comes from the environment variable named, never the file; unset: nothing sent, queue kept', async () => {
    const store = await fakeStore();
    const dir = project(`url="${store.url}" bearerTokenEnv="RW_TOKEN"`);
    const time = fakeTime(Date.now());
    const unset = await metrix(dir, ['execute'], time);
    expect(unset.code).toBe(0);
    expect(unset.stderr).toMatch(/ERROR remote write to http:\/\/127\.0\.0\.1:\d+ not sent: the environment variable RW_TOKEN is not set; \d+ samples wait in the queue for the next run/);
    expect(store.received).toHaveLength(0);
    time.advance(MINUTE);
    await metrix(dir, ['execute'], time, { RW_TOKEN: 's3cret' });
    // Two requests: the first run's samples, then the second's (never two of one series in one).
    expect(store.received.map((r) => r.headers.authorization)).toEqual(['Bearer s3cret', 'Bearer s3cret']);

    project(`url="${store.url}" user="metrix" passwordEnv="RW_PASSWORD"`, dir);
    time.advance(MINUTE);
    await metrix(dir, ['execute'], time, { RW_PASSWORD: 'pa:ss' });
    expect(store.received[2]!.headers.authorization).toBe(`Basic ${Buffer.from('metrix:pa:ss').toString('base64')}`);
  });
});

describe('remote write: the store answers', () => {
  it('400: the batch is dropped for good, logged with the answer, counted, and not sent again', async () => {
    const store = await fakeStore(() => ({ status: 400, body: 'out of order sample' }));
    const dir = project(`url="${store.url}"`);
    const time = fakeTime(Date.now());
    const run = await metrix(dir, ['execute'], time);
    expect(run.code).toBe(0);
    // One request of every entry (localhost's poll, metrix's own), refused, then halves until each entry is alone: refused too.
    expect(store.received[0]!.series.length).toBe(queuedBefore(store));
    expect(hostsOf(store.received[0]!)).toEqual(['localhost', '(metrix)']);
    const refusals = run.stderr.split('\n').filter((line) => line.includes('refused'));
    expect(refusals).toEqual([
      expect.stringMatching(/ERROR remote write to http:\/\/127\.0\.0\.1:\d+ refused \d+ samples of localhost, \(metrix\) for good \(HTTP 400: out of order sample\): dropped, not sent again$/),
    ]);
    expect(refusals[0]).toContain(`refused ${store.received[0]!.series.length} samples`);
    expect(time.slept).toEqual([]); // a 400 is not tried again
    expect(queued(dir).rows).toBe(1); // only the figures written after sending
    const dropped = stored(dir, '(metrix)', 'metrix_remote_write_dropped_total');
    expect(dropped).toEqual([[time.now(), store.received[0]!.series.length]]);
    // The next run sends the figures row and this run's rows, not the dropped ones.
    store.reply = () => ({ status: 204 });
    const before = store.received.length;
    time.advance(MINUTE);
    await metrix(dir, ['execute'], time);
    const mem = store.received.slice(before).flatMap((r) => r.series.filter((x) => x.labels[0]![1] === 'mem_percent').map((x) => x.samples[0]!.timestamp));
    expect(mem).toEqual([time.now()]);
  });

  it('one host the store refuses costs only its own samples: the request is halved until the bad row is alone', async () => {
    const store = await fakeStore((request) => (hostsOf(request).includes('bad') ? { status: 400, body: 'label value too long' } : { status: 204 }));
    const dir = tempDir();
    writeFileSync(
      join(dir, 'config.xml'),
      `<metrix><hosts><host name="a1" transport="local"/><host name="bad" transport="local"/><host name="c3" transport="local"/></hosts><remoteWrite url="${store.url}"/></metrix>`,
    );
    const time = fakeTime(Date.now());
    const run = await metrix(dir, ['execute'], time);
    expect(run.code).toBe(0);
    const accepted = store.received.filter((r) => !hostsOf(r).includes('bad')).flatMap(hostsOf).sort();
    expect(accepted).toEqual(['(metrix)', 'a1', 'c3']);
    expect(run.stderr).toMatch(/ERROR remote write to .* refused \d+ samples of bad for good \(HTTP 400: label value too long\)/);
    expect(run.stderr).not.toMatch(/refused \d+ samples of (a1|c3|\(metrix\))/);
  });

  it('503 and 429 are tried again with backoff (Retry-After heeded); once accepted, the batch leaves the queue', async () => {
    const store = await fakeStore((_request, i) => (i === 0 ? { status: 503, body: 'TSDB not ready' } : i === 1 ? { status: 429, headers: { 'retry-after': '7' } } : { status: 204 }));
    const dir = project(`url="${store.url}"`);
    const time = fakeTime(Date.now());
    const run = await metrix(dir, ['execute'], time);
    expect(run.code).toBe(0);
    expect(store.received).toHaveLength(3);
    expect(store.received[2]!.body.equals(store.received[0]!.body)).toBe(true);
    expect(time.slept).toEqual([1000, 7000]);
    expect(run.stderr).toMatch(/INFO remote write to .*: sent \d+ samples in 3 requests/);
    expect(queued(dir).rows).toBe(1);
  });

  it('a store that keeps answering 500: three tries, a WARN with its answer, the queue kept for the next run', async () => {
    const store = await fakeStore(() => ({ status: 500, body: 'disk full' }));
    const dir = project(`url="${store.url}"`);
    const time = fakeTime(Date.now());
    const run = await metrix(dir, ['execute'], time);
    expect(run.code).toBe(0);
    expect(store.received).toHaveLength(3);
    expect(run.stderr).toMatch(/WARN remote write to .*: sent nothing; stopped: HTTP 500: disk full; \d+ samples wait in the queue for the next run/);
    expect(queued(dir).samples).toBeGreaterThan(store.received[0]!.series.length);
  });

  it.each([401, 403, 404])('%i refuses metrix, not the data: one try, an ERROR naming the cause, nothing dropped, the queue kept', async (status) => {
    const store = await fakeStore(() => ({ status, body: 'no' }));
    const dir = project(`url="${store.url}" bearerTokenEnv="RW_TOKEN"`);
    const time = fakeTime(Date.now());
    const run = await metrix(dir, ['execute'], time, { RW_TOKEN: 'wrong' });
    expect(run.code).toBe(0);
    expect(store.received).toHaveLength(1);
    expect(run.stderr).toMatch(new RegExp(`ERROR remote write to .*: sent nothing; stopped: HTTP ${status}: no \\(check the url and the credentials in <remoteWrite>\\); \\d+ samples wait`));
    expect(run.stderr).not.toContain('refused');
    expect(queued(dir).samples).toBeGreaterThan(store.received[0]!.series.length);
  });

  it('an answer that never comes: the request ends at its timeout, no second try this run, the queue kept', async () => {
    const store = await fakeStore(() => new Promise(() => undefined));
    const dir = project(`url="${store.url}" timeout="1s"`);
    const time = fakeTime(Date.now());
    const run = await metrix(dir, ['execute'], time);
    expect(run.code).toBe(0);
    expect(store.received).toHaveLength(1);
    expect(run.stderr).toMatch(/WARN remote write to .*: sent nothing; stopped: no answer within 1s \(timeout\); \d+ samples wait/);
    expect(queued(dir).samples).toBeGreaterThan(store.received[0]!.series.length);
  });

  it('over maxQueued, the oldest are dropped (counted, one WARN) and the newest sent', async () => {
    const store = await fakeStore(() => ({ status: 503 }));
    const dir = project(`url="${store.url}" maxQueued="100"`);
    const time = fakeTime(Date.now() - 10 * MINUTE);
    const runs: number[] = [];
    let last = '';
    for (let i = 0; i < 4; i++) {
      runs.push(time.now());
      last = (await metrix(dir, ['execute'], time)).stderr;
      time.advance(MINUTE);
    }
    expect(last).toMatch(/WARN remote write queue over its limit \(maxQueued\): dropped the oldest \d+ samples \(\d+ polls\) unsent/);
    expect(queued(dir).samples).toBeLessThanOrEqual(100 + 60); // the cap, plus what was stored after it was applied
    store.reply = () => ({ status: 204 });
    const before = store.received.length;
    await metrix(dir, ['execute'], time);
    const sent = new Set(store.received.slice(before).flatMap((r) => r.series.filter((s) => s.labels[0]![1] === 'mem_percent').map((s) => s.samples[0]!.timestamp)));
    expect(sent.has(runs[0]!)).toBe(false);
    expect(sent.has(time.now())).toBe(true);
    const [dropped] = stored(dir, '(metrix)', 'metrix_remote_write_dropped_total').slice(-1);
    expect(dropped![1]).toBeGreaterThan(0);
  });
});
