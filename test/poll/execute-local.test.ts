import { chmodSync, existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { storedPoints } from '../helpers/stored.js';
import { tempDir } from '../helpers/tmp.js';

const config = (extraHosts = ''): string => `<metrix>
  <settings database="./metrix.db" keys="./keys"/>
  <hosts>
    <host name="localhost" transport="local"/>${extraHosts}
  </hosts>
</metrix>
`;

function project(xml = config()): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.xml'), xml);
  return dir;
}

const samples = (dir: string, metric: string): Array<{ labels: string; ts: number; value: number }> =>
  storedPoints(join(dir, 'metrix.db'), metric)
    .filter((p) => p.host === 'localhost')
    .map((p) => ({ labels: JSON.stringify(p.labels), ts: p.ts, value: p.value }));

/** Busy and total jiffies of the aggregate cpu line, computed the way metrix defines cpu_percent. */
function procStat(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - fields[3]! - fields[4]!, total };
}

/** Keeps every core about half busy (worker threads: spin 10 ms, rest 10 ms) until `done()` holds. */
async function halfBusyUntil(done: () => boolean): Promise<void> {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const duty = `const { workerData: stop } = require('node:worker_threads');
    while (Atomics.load(stop, 0) === 0) { const end = Date.now() + 10; while (Date.now() < end); Atomics.wait(stop, 0, 0, 10); }`;
  const workers = Array.from({ length: availableParallelism() }, () => new Worker(duty, { eval: true, workerData: stop }));
  try {
    while (!done()) await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    Atomics.store(stop, 0, 1);
    Atomics.notify(stop, 0);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

describe('metrix execute, local transport', () => {
  it('polls this machine, creates the keys, stores samples and prints a summary', async () => {
    const dir = project();
    const run = await runCli(dir, ['execute']);
    expect(run.stderr).toMatch(/INFO created keys directory .*keys with a new poller key pair/);
    expect(run.stderr).toMatch(/INFO \[localhost\] ok in \d+\.\d+s: cpu_percent=[\d.]+ mem_percent=[\d.]+ load1=[\d.]+ \d+ samples$/m);
    expect(run.stderr).toMatch(/INFO stored \d+ samples from 1 host\n/);
    expect(run.stdout).toMatch(/^polled 1 host in [\d.]+s: 1 ok, 0 failed\n$/);
    expect(run.code).toBe(0);
    expect(existsSync(join(dir, 'keys', 'hosts', 'localhost.key'))).toBe(true);
    for (const metric of ['host_up', 'cpu_percent', 'mem_percent', 'load1', 'uptime_sec', 'procs_total', 'poll_duration_sec']) {
      expect(samples(dir, metric), metric).toHaveLength(1);
    }
    expect(samples(dir, 'host_up')[0]!.value).toBe(1);
    expect(samples(dir, 'disk_used_percent').map((s) => JSON.parse(s.labels).mount)).toContain('/');
  });

  it('derives cpu_percent from two runs: the stored figure lies within what /proc/stat says of the time between them', async () => {
    const dir = project();
    await runCli(dir, ['execute']); // makes the keys, so the run measured below is a plain one
    const b0 = procStat();
    await runCli(dir, ['execute']);
    const b1 = procStat();
    // Half-busy every core until the counters moved 20 times what one run took, whatever the
    // core count: waiting on the counters, not on a timer, is what keeps the bounds tight.
    await halfBusyUntil(() => procStat().total - b1.total >= 20 * Math.max(b1.total - b0.total, availableParallelism()));
    const a0 = procStat();
    const third = await runCli(dir, ['execute']);
    const a1 = procStat();
    expect(third.code).toBe(0);
    // The collector read the counters somewhere in [b0, b1] and in [a0, a1]; counters only grow.
    const lowest = (100 * (a0.busy - b1.busy)) / (a1.total - b0.total);
    const highest = (100 * (a1.busy - b0.busy)) / (a0.total - b1.total);
    const stored = samples(dir, 'cpu_percent');
    expect(stored).toHaveLength(3);
    expect(lowest).toBeGreaterThan(20);
    expect(highest - lowest).toBeLessThan(25);
    expect(stored[2]!.value).toBeGreaterThanOrEqual(lowest);
    expect(stored[2]!.value).toBeLessThanOrEqual(highest);
  }, 60_000);

  it('reads stored history back with query as a table, CSV and JSON', async () => {
    const dir = project();
    await runCli(dir, ['execute']);
    await runCli(dir, ['execute']);
    const table = await runCli(dir, ['query', '-h', 'localhost', '-m', 'mem_percent']);
    expect(table.code).toBe(0);
    expect(table.stdout.trim().split('\n')).toHaveLength(3);
    const csv = await runCli(dir, ['query', '-h', 'localhost', '-m', 'disk_used_percent', '--labels', 'mount=/', '--format', 'csv']);
    expect(csv.stdout).toMatch(/^time,host,metric,labels,value\r\n(\d{4}-\d\d-\d\dT[\d:.]+Z,localhost,disk_used_percent,mount=\/,[\d.]+\r\n){2}$/);
    const json = await runCli(dir, ['query', '-h', 'localhost', '-m', 'host_up', '--json']);
    expect(JSON.parse(json.stdout).map((row: { value: number }) => row.value)).toEqual([1, 1]);
  });

  it.each([
    [['query', '-h', 'nosuch', '-m', 'cpu_percent'], /no data stored for host "nosuch"/],
    [['query', '-h', 'localhost', '-m', 'cpu_pct'], /metric "cpu_pct": unknown metric \(known: cpu_percent/],
    [['query', '-h', 'localhost', '-m', 'cpu_percent', '--since', 'yesterday'], /--since "yesterday": expected "now"/],
    [['query', '-h', 'localhost', '-m', 'cpu_percent', '--labels', 'mount'], /--labels "mount": expected name=value/],
    [['query', '-h', 'localhost', '-m', 'cpu_percent', '--format', 'xml'], /argument 'xml' is invalid/],
    [['execute', '-h', 'nosuch'], /unknown host "nosuch" \(hosts in .*config.xml: localhost\)/],
    [['execute', '-g', 'gpu'], /unknown group "gpu"/],
  ])('exits 2 with a clear message for %j, and stored data is intact', async (args, message) => {
    const dir = project();
    await runCli(dir, ['execute']);
    const before = samples(dir, 'host_up');
    const run = await runCli(dir, args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(samples(dir, 'host_up')).toEqual(before);
  });

  it('fails a remote host that was never uploaded, stores host_up=0 and still polls the rest', async () => {
    const dir = project(config('\n    <host name="f4" address="127.0.0.1" port="1"/>'));
    const run = await runCli(dir, ['execute']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ERROR \[f4\] not-uploaded after [\d.]+s: no key for this host yet: run metrix upload -h f4/);
    expect(run.stdout).toMatch(/1 ok, 1 failed\n  not-uploaded: 1 \(f4\)/);
    expect(samples(dir, 'host_up')).toHaveLength(1);
  });
});

describe('metrix execute with unusable keys', () => {
  it.each([
    ['a keys directory open to others', (keys: string) => chmodSync(keys, 0o755), /directory .*keys is open to group or others \(mode 0755\).*chmod 700/],
    ['a poller key readable by group', (keys: string) => chmodSync(join(keys, 'poller.key'), 0o640), /poller.key is open to group or others \(mode 0640\)/],
    ['a keys directory that lost its poller key', (keys: string) => unlinkSync(join(keys, 'poller.key')), /has no poller.key; refusing to make a new one/],
  ])('refuses %s: exit 2, nothing polled, stored data intact', async (_name, spoil, message) => {
    const dir = project();
    await runCli(dir, ['execute']);
    const before = samples(dir, 'host_up');
    spoil(join(dir, 'keys'));
    const run = await runCli(dir, ['execute']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
    expect(samples(dir, 'host_up')).toEqual(before);
  });
});
