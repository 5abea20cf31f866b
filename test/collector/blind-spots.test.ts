import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CollectContext } from '../../client-script/src/collectors/collector.js';
import { parseCpuStat } from '../../client-script/src/collectors/cpu.js';
import { createHwmonCollector, HWMON_LIMITS, parseMilliC, scanHwmon } from '../../client-script/src/collectors/hwmon.js';
import { loadMounts, parseMountInfo, selectMounts } from '../../client-script/src/collectors/mounts.js';
import { netdevCollector, parseNetDev } from '../../client-script/src/collectors/netdev.js';
import { parsePressure, pressureCollector } from '../../client-script/src/collectors/pressure.js';
import { parseOomKills, vmstatCollector } from '../../client-script/src/collectors/vmstat.js';
import { fixture, FIXTURES } from './helpers.js';
import { tempDir } from '../helpers/tmp.js';

// The readings issue 11 added to the collector ("the collector's blind spots"), each from a
// fixture of the real file, with the malformed and missing cases a host can present.

const context = (procRoot: string, sysRoot = join(FIXTURES, 'sys')): CollectContext => ({
  procRoot, sysRoot, statfsCommand: ['false'], statfsTimeoutMs: 1000, searchPath: '', statePath: '/nonexistent/state.json',
});

describe('mountinfo: read-only filesystems and bind mounts', () => {
  const mounts = parseMountInfo(fixture('samples/mountinfo-binds'));

  it('reads every well-formed line, decodes escapes, and passes over the two that are not mounts', () => {
    expect(mounts.map((m) => m.mountPoint)).toEqual([
      '/proc', '/dev', '/dev/shm', '/', '/scratch', '/data', '/export/data', '/projects', '/var/shm-again', '/srv/shm-ro',
      '/tmp', '/data/run 2024', '/run/user/1000', '/mnt/cdrom',
    ]);
    expect(mounts.find((m) => m.mountPoint === '/data/run 2024')).toEqual({
      device: '/dev/nvme0n1p1', mountPoint: '/data/run 2024', fsType: 'xfs', readOnly: false, devId: '259:1', root: '/',
    });
  });

  it('takes read-only from the mount flag and from the filesystem (ext4 remounted read-only after errors)', () => {
    const readOnly = (point: string): boolean | undefined => mounts.find((m) => m.mountPoint === point)?.readOnly;
    expect(readOnly('/')).toBe(false);
    expect(readOnly('/scratch')).toBe(true); // "ro" in the mount's own options
    expect(readOnly('/data')).toBe(true); // "ro" only in the filesystem's options
    expect(readOnly('/srv/shm-ro')).toBe(true);
  });

  it('reports a filesystem once per view: a bind mount of the same directory, as writable, is left out', () => {
    expect(selectMounts(mounts).map((m) => [m.mountPoint, m.readOnly])).toEqual([
      ['/dev/shm', false],
      ['/', false],
      ['/scratch', true],
      ['/data', true],
      // /export/data is /data again; /projects shows another directory of it, so it stays.
      ['/projects', true],
      // /var/shm-again is /dev/shm again; /srv/shm-ro is a read-only view of it, which is news.
      ['/srv/shm-ro', true],
      ['/tmp', false],
      ['/data/run 2024', false],
    ]);
  });

  it('prefers /proc/self/mountinfo and falls back to /proc/self/mounts when it is missing or holds no mount', () => {
    const root = tempDir();
    mkdirSync(join(root, 'self'));
    writeFileSync(join(root, 'self/mounts'), '/dev/sda1 / ext4 ro,relatime 0 0\n');
    expect(loadMounts(root)).toEqual([{ device: '/dev/sda1', mountPoint: '/', fsType: 'ext4', readOnly: true }]);
    writeFileSync(join(root, 'self/mountinfo'), 'garbage\n');
    expect(loadMounts(root).map((m) => m.device)).toEqual(['/dev/sda1']);
    writeFileSync(join(root, 'self/mountinfo'), '27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n');
    expect(loadMounts(root)).toEqual([{ device: '/dev/vda', mountPoint: '/', fsType: 'ext4', readOnly: false, devId: '254:0', root: '/' }]);
  });
});

describe('CPU steal', () => {
  it('is the eighth column of the cpu line, and absent on kernels without it', () => {
    expect(parseCpuStat(fixture('proc/stat')).stealJiffies).toBe(50);
    expect(parseCpuStat('cpu  1 2 3 4 5 6 7 9\n').stealJiffies).toBe(9);
    expect(parseCpuStat('cpu  100 1 20 800 30 4 5\n').stealJiffies).toBeUndefined();
  });
});

describe('network errors and drops', () => {
  it('reads errs and drop each way, and leaves out a garbled or missing field while keeping the bytes', () => {
    const devices = parseNetDev(fixture('samples/net-dev-errors'));
    expect(devices).toEqual([
      { iface: 'eth0', rxBytes: 5000000000, txBytes: 3000000000, rxErrors: 12, rxDrops: 340, txErrors: 5, txDrops: 7 },
      { iface: 'ib0', rxBytes: 90000000000, txBytes: 80000000000, rxErrors: 0, rxDrops: 98765, txErrors: 0, txDrops: 0 },
      { iface: 'eth1', rxBytes: 100, txBytes: 200, rxErrors: undefined, rxDrops: 0, txErrors: 0, txDrops: undefined },
      { iface: 'eth2', rxBytes: 1, txBytes: 9, rxErrors: 3, rxDrops: 4, txErrors: undefined, txDrops: undefined },
    ]);
  });

  it('reports them as counters labelled by interface, only those it could read', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'net'));
    cpSync(join(FIXTURES, 'samples/net-dev-errors'), join(root, 'net/dev'));
    const { counters } = await netdevCollector.collect(context(root, tempDir()));
    expect(counters.filter((s) => s.l?.['iface'] === 'eth1').map((s) => s.m)).toEqual(['net_rx_bytes_total', 'net_tx_bytes_total', 'net_rx_drops_total', 'net_tx_errors_total']);
    expect(counters.filter((s) => s.l?.['iface'] === 'eth0' && /errors|drops/.test(s.m))).toEqual([
      { m: 'net_rx_errors_total', v: 12, l: { iface: 'eth0' } },
      { m: 'net_rx_drops_total', v: 340, l: { iface: 'eth0' } },
      { m: 'net_tx_errors_total', v: 5, l: { iface: 'eth0' } },
      { m: 'net_tx_drops_total', v: 7, l: { iface: 'eth0' } },
    ]);
  });
});

describe('out-of-memory kills', () => {
  it.each([
    ['the fixture /proc/vmstat', fixture('proc/vmstat'), 3],
    ['a kernel before 4.13, without the line', 'nr_free_pages 1000\npgfault 5\n', undefined],
    ['a garbled count', 'oom_kill lots\n', undefined],
    ['a line with more fields', 'oom_kill 1 2\n', undefined],
    ['an empty file', '', undefined],
  ])('%s', (_name, text, kills) => {
    expect(parseOomKills(text)).toBe(kills);
  });

  it('is a counter when the kernel has it, and nothing at all when not', async () => {
    expect((await vmstatCollector.collect(context(join(FIXTURES, 'proc')))).counters).toEqual([{ m: 'oom_kills_total', v: 3 }]);
    const old = tempDir();
    writeFileSync(join(old, 'vmstat'), 'nr_free_pages 1000\n');
    expect(await vmstatCollector.collect(context(old))).toEqual({ gauges: [], counters: [], errors: [] });
  });
});

describe('pressure stall information', () => {
  it.each([
    ['io, some and full', fixture('proc/pressure/io'), { some: 98765432, full: 45678901 }],
    ['cpu before Linux 5.13: no full line', fixture('samples/pressure-cpu-linux5.4'), { some: 5123456, full: undefined }],
    ['garbled lines passed over', fixture('samples/pressure-garbled'), { some: 777, full: undefined }],
    ['an empty file', '', { some: undefined, full: undefined }],
  ])('%s', (_name, text, totals) => {
    expect(parsePressure(text)).toEqual(totals);
  });

  it('reports some and full totals per resource, without cpu full (always zero at system level)', async () => {
    const { counters, errors } = await pressureCollector.collect(context(join(FIXTURES, 'proc')));
    expect(errors).toEqual([]);
    expect(counters).toEqual([
      { m: 'pressure_some_usec_total', v: 12345678, l: { resource: 'cpu' } },
      { m: 'pressure_some_usec_total', v: 2500000, l: { resource: 'memory' } },
      { m: 'pressure_full_usec_total', v: 1000000, l: { resource: 'memory' } },
      { m: 'pressure_some_usec_total', v: 98765432, l: { resource: 'io' } },
      { m: 'pressure_full_usec_total', v: 45678901, l: { resource: 'io' } },
    ]);
  });

  it('is no series and no error where the kernel has no /proc/pressure, or only some of it', async () => {
    const root = tempDir();
    expect(await pressureCollector.collect(context(root))).toEqual({ gauges: [], counters: [], errors: [] });
    mkdirSync(join(root, 'pressure'));
    cpSync(join(FIXTURES, 'samples/pressure-cpu-linux5.4'), join(root, 'pressure/cpu'));
    expect(await pressureCollector.collect(context(root))).toEqual({
      gauges: [], counters: [{ m: 'pressure_some_usec_total', v: 5123456, l: { resource: 'cpu' } }], errors: [],
    });
  });
});

describe('hwmon temperatures', () => {
  const clock = (): number => 0;

  it.each([
    ['whole millidegrees', '45850\n', 45850],
    ['below zero', '-5000', -5000],
    ['a disconnected sensor at 255 °C', '255000', undefined],
    ['below -100 °C', '-128000', undefined],
    ['not a number', 'N/A', undefined],
    ['a fraction', '45.5', undefined],
    ['nothing', undefined, undefined],
  ])('parses %s', (_name, text, milli) => {
    expect(parseMilliC(text)).toBe(milli);
  });

  it('takes the hottest sensor of each kind of chip, passing over bogus and unreadable sensors', async () => {
    const { gauges, errors } = await createHwmonCollector(clock).collect(context(join(FIXTURES, 'proc')));
    expect(errors).toEqual([]);
    expect(gauges).toEqual([
      { m: 'hwmon_temp_c', v: 27.8, l: { chip: 'acpitz' } },
      // Two sockets: 66 °C on the first, 71 °C on the second.
      { m: 'hwmon_temp_c', v: 71, l: { chip: 'coretemp' } },
      // 255 °C is a sensor that is not there; temp3_input cannot be read.
      { m: 'hwmon_temp_c', v: 45.85, l: { chip: 'nvme' } },
      // Its files under device/, as drivers before Linux 3.x had them.
      { m: 'hwmon_temp_c', v: 40, l: { chip: 'it87' } },
      // "bad name!" is no label.
      { m: 'hwmon_temp_c', v: 30.125, l: { chip: 'unnamed' } },
    ]);
  });

  it('is no series and no error without /sys/class/hwmon (most virtual machines)', async () => {
    expect(await createHwmonCollector(clock).collect(context(join(FIXTURES, 'proc'), tempDir()))).toEqual({ gauges: [], counters: [], errors: [] });
  });

  it(`reads at most ${HWMON_LIMITS.sensors} sensors and says so`, () => {
    const sys = tempDir();
    for (let chip = 0; chip < 3; chip++) {
      const dir = join(sys, `class/hwmon/hwmon${chip}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'name'), 'coretemp\n');
      for (let i = 1; i <= 200; i++) writeFileSync(join(dir, `temp${i}_input`), `${chip * 1000 + i}\n`);
    }
    const scan = scanHwmon(sys, clock);
    expect(scan.errors).toEqual([{ collector: 'hwmon', message: `stopped after ${HWMON_LIMITS.sensors} temperature sensors: at most ${HWMON_LIMITS.sensors} sensors are read` }]);
    // Sensors are read in number order: the third chip stops at temp112, 2112 millidegrees.
    expect(scan.chips).toEqual([{ chip: 'coretemp', maxMilliC: 2000 + HWMON_LIMITS.sensors - 400 }]);
  });

  it(`stops reading once ${HWMON_LIMITS.budgetMs} ms have gone (slow I2C or IPMI sensors), keeping what it read`, () => {
    let now = 0;
    // Each call to the clock is one sensor's read taking 300 ms.
    const slow = (): number => (now += 300);
    const scan = scanHwmon(join(FIXTURES, 'sys'), slow);
    expect(scan.errors).toEqual([{ collector: 'hwmon', message: `stopped after 3 temperature sensors: reading took over ${HWMON_LIMITS.budgetMs} ms` }]);
    expect(scan.chips).toEqual([{ chip: 'acpitz', maxMilliC: 27800 }, { chip: 'coretemp', maxMilliC: 64000 }]);
  });

  it(`reads at most ${HWMON_LIMITS.chips} chips`, () => {
    const sys = tempDir();
    for (let chip = 0; chip < HWMON_LIMITS.chips + 2; chip++) {
      const dir = join(sys, `class/hwmon/hwmon${chip}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'name'), `chip${chip}\n`);
      writeFileSync(join(dir, 'temp1_input'), '40000\n');
    }
    const scan = scanHwmon(sys, clock);
    expect(scan.chips).toHaveLength(HWMON_LIMITS.chips);
    expect(scan.chips[HWMON_LIMITS.chips - 1]).toEqual({ chip: `chip${HWMON_LIMITS.chips - 1}`, maxMilliC: 40000 });
    expect(scan.errors).toEqual([{ collector: 'hwmon', message: `${HWMON_LIMITS.chips + 2} hwmon chips, only the first ${HWMON_LIMITS.chips} read` }]);
  });
});
