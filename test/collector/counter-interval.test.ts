import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectAll } from '../../client-script/src/collect.js';
import type { CollectContext, Collector } from '../../client-script/src/collectors/collector.js';
import type { Report } from '../../client-script/src/protocol.js';
import { buildReport } from '../../client-script/src/run.js';
import { sealReport } from '../../client-script/src/seal.js';
import { loadConfig } from '../../src/config/load.js';
import { KeyStore } from '../../src/crypto/key-store.js';
import { pollHost, type PollContext } from '../../src/poll/poll-host.js';
import type { PollRecord } from '../../src/poll/records.js';
import type { Transport } from '../../src/poll/transport.js';
import { ok } from '../../src/result.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The real collector core (collectAll, buildReport, sealReport) and the real poller (pollHost,
 * Store) on one fake clock: the host's clock runs 49,000 s ahead of the poller's, its network
 * counter grows by exactly 1000 bytes per second, and a slow gauge step (nvidia-smi) sits
 * between the counter read and the report's end on some polls.
 */
const SKEW_MS = 49_000_000;
const TRIP_MS = 100;
const CTX: CollectContext = { procRoot: '/proc', sysRoot: '/sys', statfsCommand: ['stat'], statfsTimeoutMs: 100, searchPath: '', statePath: '/nonexistent/metrix-state.json' };

function world() {
  let t = 1_000_000;
  let slowMs = 0;
  const reports: Report[] = [];
  const net: Collector = {
    name: 'netdev',
    readsCounters: true,
    collect: async () => ({ gauges: [], counters: [{ m: 'net_rx_bytes_total', v: t, l: { iface: 'eth0' } }], errors: [] }),
  };
  // Started before the counters are read, finished after: the clock moves on while it runs.
  const gpu: Collector = {
    name: 'gpu',
    readsCounters: false,
    collect: () => new Promise((resolve) => setImmediate(() => resolve((t += slowMs, { gauges: [{ m: 'gpu_temp_c', v: 40, l: { gpu: '0' } }], counters: [], errors: [] })))),
  };
  const collector = (keys: KeyStore): Transport => ({
    async exec(host, request) {
      const arg = (name: string): string | undefined => request.args[request.args.indexOf(name) + 1];
      t += TRIP_MS;
      const collected = await collectAll([net, gpu], CTX, { warmupMs: Number(arg('--warmup-ms') ?? 0), now: () => t + SKEW_MS, sleep: async (ms) => void (t += ms) });
      const report = buildReport(host.name, arg('--challenge')!, collected);
      reports.push(report);
      t += TRIP_MS;
      return ok({ stdout: sealReport(report, keys.ensureHostKeys(host.name).file), stderr: '' });
    },
    release: async () => undefined,
    close: async () => undefined,
  });
  return { clock: () => t, wait: (ms: number) => void (t += ms), slow: (ms: number) => void (slowMs = ms), reports, collector };
}

describe('rates over the interval between counter readings', () => {
  it('measure 1000 bytes/s whether or not a slow step follows the counter read', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.xml'), '<metrix><hosts><host name="gpu1" transport="local"/></hosts></metrix>');
    const config = loadConfig(join(dir, 'config.xml'));
    const keys = KeyStore.open(config.settings.keysDir).store;
    const store = Store.open(config.settings.database);
    const w = world();
    const transport = w.collector(keys);
    const ctx: PollContext = { settings: config.settings, keys, transportOf: () => transport, lastCounters: (h) => store.lastCounters(h), clock: w.clock };
    const poll = async (slowMs: number): Promise<PollRecord> => {
      w.slow(slowMs);
      const record = await pollHost(config.hosts[0]!, ctx);
      store.writeRun({ startedAt: record.ts, finishedAt: record.ts, polls: [record] });
      w.wait(60_000);
      return record;
    };

    const polls = [await poll(3000), await poll(0), await poll(3000), await poll(0)];
    const rate = (record: PollRecord) => record.samples.find((s) => s.m === 'net_rx_bytes_per_sec')?.v;
    expect(polls.map((p) => p.failure)).toEqual([undefined, undefined, undefined, undefined]);
    // The first poll warms up (baseline 300 ms before the counters); the others rate against the stored counters.
    expect(w.reports.map((r) => r.baseline !== undefined)).toEqual([true, false, false, false]);
    expect(polls.map(rate)).toEqual([1000, 1000, 1000, 1000]);
    // The reports say when the counters were read: 3 s before their end when nvidia-smi was slow.
    expect(w.reports.map((r) => r.ts - r.countersAt!)).toEqual([3000, 0, 3000, 0]);
    // Counters are stored where they were read: before the poll's end by the host's slow step.
    expect(polls.map((p) => p.ts - p.countersTs!)).toEqual([3000, 0, 3000, 0]);
    expect(store.lastCounters('gpu1')?.ts).toBe(polls[3]!.countersTs);
    store.close();
  });
});
