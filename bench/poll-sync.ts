/**
 * The synchronous work the poll path does per host before its collector runs: the host's key
 * (KeyStore.hostKeys) and its last counters (Store.lastCounters), for N hosts with 10 stored
 * runs each. Each round is a run: a fresh KeyStore and Store, then every host once. Prints the
 * best of 5 rounds; asserts nothing.
 *   npm run bench:poll-sync -- [--hosts 1000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Sample } from '../client-script/src/protocol.js';
import { KeyStore } from '../src/crypto/key-store.js';
import { Store } from '../src/store/store.js';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '1000' } } });
const n = Number(values.hosts);
const dir = mkdtempSync(join(tmpdir(), 'metrix-bench-sync-'));
const names = Array.from({ length: n }, (_, i) => `h${i}`);

const counters = (v: number): Sample[] => [
  { m: 'cpu_total_jiffies', v }, { m: 'cpu_idle_jiffies', v }, { m: 'cpu_iowait_jiffies', v },
  ...[0, 1].flatMap((i) => [{ m: 'net_rx_bytes_total', v, l: { iface: `eth${i}` } }, { m: 'net_tx_bytes_total', v, l: { iface: `eth${i}` } }]),
  ...[0, 1, 2].flatMap((i) => [{ m: 'disk_read_bytes_total', v, l: { device: `sd${i}` } }, { m: 'disk_write_bytes_total', v, l: { device: `sd${i}` } }]),
  { m: 'load1', v: 1 }, { m: 'mem_percent', v: 5 }, ...Array.from({ length: 10 }, (_, i) => ({ m: 'disk_used_percent', v: 5, l: { mount: `/m${i}` } })),
];

function time(label: string, run: () => void): void {
  const rounds = Array.from({ length: 5 }, () => {
    const t0 = performance.now();
    run();
    return performance.now() - t0;
  });
  const ms = Math.min(...rounds);
  console.log(`${label.padEnd(13)} ${ms.toFixed(1)} ms for ${n} hosts, ${((ms * 1000) / n).toFixed(1)} µs per host (best of 5)`);
}

try {
  const keys = KeyStore.open(join(dir, 'keys')).store;
  for (const name of names) keys.ensureHostKeys(name);
  const store = Store.open(join(dir, 'metrix.db'));
  for (let run = 0; run < 10; run++) {
    const ts = 1_700_000_000_000 + run * 60_000;
    store.writeRun({ startedAt: ts, finishedAt: ts, polls: names.map((host) => ({ host, ts, durationMs: 1, failure: undefined, collector: 'bench', samples: counters(run) })) });
  }
  store.close();
  time('hostKeys', () => {
    const fresh = KeyStore.open(join(dir, 'keys')).store;
    for (const name of names) fresh.hostKeys(name);
  });
  time('lastCounters', () => {
    const fresh = Store.open(join(dir, 'metrix.db'));
    for (const name of names) fresh.lastCounters(name);
    fresh.close();
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
