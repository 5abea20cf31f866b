import { describe, expect, it } from 'vitest';
import { collectAll } from '../../client-script/src/collect.js';
import type { CollectContext, Collector, Readings } from '../../client-script/src/collectors/collector.js';

const CTX: CollectContext = { procRoot: '/proc', sysRoot: '/sys', statfsCommand: ['stat'], statfsTimeoutMs: 100, searchPath: '', statePath: '/nonexistent/metrix-state.json' };

/** A collector whose counter grows by 10 on every reading, logging each call. */
function counting(name: string, log: string[]): Collector {
  let reads = 0;
  return {
    name,
    readsCounters: true,
    async collect() {
      reads += 1;
      log.push(`${name} read ${reads}`);
      return { gauges: [{ m: `${name}_gauge`, v: reads }], counters: [{ m: `${name}_total`, v: reads * 10 }], errors: [] };
    },
  };
}

function fixed(name: string, log: string[], result: Readings | Error): Collector {
  return {
    name,
    readsCounters: false,
    collect() {
      log.push(`${name} started`);
      if (result instanceof Error) throw result;
      return Promise.resolve(result);
    },
  };
}

function fakeTime(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let clock = 1000;
  const slept: number[] = [];
  return { now: () => clock, sleep: async (ms) => void (slept.push(ms), (clock += ms)), slept };
}

describe('collectAll', () => {
  it('merges readings in collector order and turns a throw into an error entry', async () => {
    const log: string[] = [];
    const collectors = [
      counting('cpu', log),
      fixed('load', log, { gauges: [{ m: 'load1', v: 1 }], counters: [], errors: [] }),
      fixed('broken', log, new Error('bad /proc/diskstats line: "x"')),
      fixed('filesystem', log, { gauges: [{ m: 'disk_free_bytes', v: 5, l: { mount: '/' } }], counters: [], errors: [{ collector: 'filesystem', message: '/nfs: statfs timed out after 100ms' }] }),
    ];
    const time = fakeTime();
    const collected = await collectAll(collectors, CTX, { warmupMs: 0, ...time });
    expect(collected).toEqual({
      ts: 1000,
      countersAt: 1000,
      gauges: [{ m: 'cpu_gauge', v: 1 }, { m: 'load1', v: 1 }, { m: 'disk_free_bytes', v: 5, l: { mount: '/' } }],
      counters: [{ m: 'cpu_total', v: 10 }],
      errors: [
        { collector: 'broken', message: 'bad /proc/diskstats line: "x"' },
        { collector: 'filesystem', message: '/nfs: statfs timed out after 100ms' },
      ],
    });
    expect(time.slept).toEqual([]);
    // The slow gauge collectors start before the counters are read, so their waits overlap.
    expect(log).toEqual(['load started', 'broken started', 'filesystem started', 'cpu read 1']);
  });

  it('with a warm-up, reads the counters twice and keeps the first reading as the baseline', async () => {
    const log: string[] = [];
    const time = fakeTime();
    const collected = await collectAll([counting('cpu', log), counting('net', log)], CTX, { warmupMs: 300, ...time });
    expect(time.slept).toEqual([300]);
    expect(collected.baseline).toEqual({ ts: 1000, counters: [{ m: 'cpu_total', v: 10 }, { m: 'net_total', v: 10 }] });
    expect(collected.countersAt).toBe(1300);
    expect(collected.ts).toBe(1300);
    expect(collected.counters).toEqual([{ m: 'cpu_total', v: 20 }, { m: 'net_total', v: 20 }]);
    expect(collected.gauges).toEqual([{ m: 'cpu_gauge', v: 2 }, { m: 'net_gauge', v: 2 }]);
  });
});
