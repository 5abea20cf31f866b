import { describe, expect, it } from 'vitest';
import { parseCpuStat } from '../../client-script/src/collectors/cpu.js';
import { parseLoadAvg } from '../../client-script/src/collectors/load.js';
import { parseMemInfo } from '../../client-script/src/collectors/memory.js';
import { parseUptime } from '../../client-script/src/collectors/uptime.js';
import { fixture } from './helpers.js';

describe('parseCpuStat', () => {
  it.each([
    // 4 CPUs with guest time: guest (400) and guest_nice (20) sit inside user and nice, so not added again.
    ['4-CPU fixture', fixture('proc/stat'), { totalJiffies: 95100, idleJiffies: 80000, iowaitJiffies: 1500, stealJiffies: 50, procsRunning: 3 }],
    // Captured from this project's 2-CPU Debian 12 machine, kernel 6.x.
    ['captured 2-CPU host', fixture('samples/stat-debian12-2cpu'), { totalJiffies: 175508, idleJiffies: 142639, iowaitJiffies: 3489, stealJiffies: 11, procsRunning: 3 }],
    ['2.6.9 kernel, no steal column', 'cpu  100 1 20 800 30 4 5\ncpu0 100 1 20 800 30 4 5\n', { totalJiffies: 960, idleJiffies: 800, iowaitJiffies: 30, stealJiffies: undefined, procsRunning: undefined }],
    ['2.4 kernel, four columns', 'cpu  100 1 20 800\n', { totalJiffies: 921, idleJiffies: 800, iowaitJiffies: 0, stealJiffies: undefined, procsRunning: undefined }],
    ['per-CPU lines before the aggregate', 'cpu0 5 5 5 5 5 5 5 5\ncpu  1 2 3 4 5 6 7 8 9 10\nprocs_running 7\n', { totalJiffies: 36, idleJiffies: 4, iowaitJiffies: 5, stealJiffies: 8, procsRunning: 7 }],
  ])('%s', (_name, text, expected) => {
    expect(parseCpuStat(text)).toEqual(expected);
  });

  it.each([
    ['no aggregate line', 'cpu0 1 2 3 4\nprocs_running 1\n', /no aggregate "cpu" line/],
    ['too few columns', 'cpu  1 2 3\n', /no aggregate "cpu" line/],
    ['a non-number', 'cpu  1 2 x 4 5 6 7 8\n', /bad cpu system: "x"/],
    ['empty file', '', /no aggregate "cpu" line/],
  ])('rejects %s', (_name, text, message) => {
    expect(() => parseCpuStat(text)).toThrow(message);
  });
});

describe('parseLoadAvg', () => {
  it.each([
    ['fixture', fixture('proc/loadavg'), { load1: 12.5, load5: 10.25, load15: 8, procsTotal: 1234 }],
    ['idle host', '0.01 0.10 0.06 1/86 3879\n', { load1: 0.01, load5: 0.1, load15: 0.06, procsTotal: 86 }],
  ])('%s', (_name, text, expected) => {
    expect(parseLoadAvg(text)).toEqual(expected);
  });

  it.each([
    ['no process counts', '0.01 0.10 0.06\n'],
    ['garbage', 'not a loadavg\n'],
  ])('rejects %s', (_name, text) => {
    expect(() => parseLoadAvg(text)).toThrow(/bad /);
  });
});

describe('parseUptime', () => {
  it.each([
    ['fixture', fixture('proc/uptime'), 123456.78],
    ['whole seconds', '42 10\n', 42],
  ])('%s', (_name, text, expected) => {
    expect(parseUptime(text)).toBe(expected);
  });

  it('rejects a non-number', () => {
    expect(() => parseUptime('soon 1\n')).toThrow(/bad uptime/);
  });
});

describe('parseMemInfo', () => {
  const GiB = 1024 * 1024 * 1024;
  it.each([
    ['with MemAvailable and swap', fixture('proc/meminfo'), { totalBytes: 16384000 * 1024, usedBytes: 12288000 * 1024, memPercent: 75, swapPercent: 25 }],
    // RHEL 6 (2.6.32) has no MemAvailable: estimated as MemFree + Buffers + Cached + SReclaimable = 4000000 kB.
    ['without MemAvailable', fixture('samples/meminfo-rhel6-no-memavailable'), { totalBytes: 8000000 * 1024, usedBytes: 4000000 * 1024, memPercent: 50, swapPercent: 0 }],
    ['captured Debian 12, no swap', fixture('samples/meminfo-debian12'), { totalBytes: 24684084 * 1024, usedBytes: (24684084 - 24253700) * 1024, memPercent: 1.74, swapPercent: 0 }],
    ['estimate capped at MemTotal', 'MemTotal: 1048576 kB\nMemFree: 1048576 kB\nCached: 10 kB\n', { totalBytes: GiB, usedBytes: 0, memPercent: 0, swapPercent: 0 }],
    ['swap fully used', 'MemTotal: 100 kB\nMemAvailable: 100 kB\nSwapTotal: 8 kB\nSwapFree: 0 kB\n', { totalBytes: 102400, usedBytes: 0, memPercent: 0, swapPercent: 100 }],
  ])('%s', (_name, text, expected) => {
    expect(parseMemInfo(text)).toEqual(expected);
  });

  it('rejects a file without MemTotal', () => {
    expect(() => parseMemInfo('MemFree: 100 kB\n')).toThrow(/no MemTotal/);
  });
});
