import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PollRecord } from '../../src/poll/records.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';

const poll = (host: string, ts: number, v: number, countersTs?: number): PollRecord => ({
  host,
  ts,
  ...(countersTs === undefined ? {} : { countersTs }),
  durationMs: 5,
  failure: undefined,
  collector: 'test',
  samples: [
    { m: 'cpu_total_jiffies', v },
    { m: 'net_rx_bytes_total', v: v * 2, l: { iface: 'eth0' } },
    { m: 'load1', v: 1 },
  ],
});

afterEach(() => vi.restoreAllMocks());

describe("the stored counters every poll asks for", () => {
  it('come from a statement prepared once, not three per host', () => {
    const store = Store.open(join(tempDir(), 'metrix.db'));
    const hosts = Array.from({ length: 50 }, (_, i) => `h${i}`);
    store.writeRun({ startedAt: 0, finishedAt: 1, polls: hosts.map((h) => poll(h, 60_000, 10)) });
    store.writeRun({ startedAt: 0, finishedAt: 1, polls: hosts.map((h) => poll(h, 120_000, 20, 117_000)) });

    const prepare = vi.spyOn(Database.prototype, 'prepare');
    const last = hosts.map((h) => store.lastCounters(h));
    expect(prepare).not.toHaveBeenCalled();
    // Counters sit where the host read them (countersTs), the gauges at the poll's end.
    expect(last[7]).toEqual({ ts: 117_000, counters: [{ m: 'cpu_total_jiffies', v: 20, l: {} }, { m: 'net_rx_bytes_total', v: 40, l: { iface: 'eth0' } }] });
    expect(new Set(last.map((snapshot) => snapshot?.ts))).toEqual(new Set([117_000]));
    expect(store.lastCounters('never-polled')).toBeUndefined();
    store.close();
  });
});
