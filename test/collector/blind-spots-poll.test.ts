import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isIgnoredDevice, parseDiskStats } from '../../client-script/src/collectors/diskstats.js';
import { parseOomKills } from '../../client-script/src/collectors/vmstat.js';
import { runCli } from '../helpers/io.js';
import { storedPoints } from '../helpers/stored.js';
import { tempDir } from '../helpers/tmp.js';

// The new series through the whole poller: `metrix execute` runs the built collector on this
// machine (local transport) twice, checks and stores what it sends, and derives the interval
// figures from the counters stored by the run before. What this machine lacks (hwmon here)
// is not asked for; what /proc says it has must be there.

const CONFIG = `<metrix>
  <settings database="./metrix.db" keys="./keys"/>
  <hosts>
    <host name="localhost" transport="local"/>
  </hosts>
</metrix>
`;

const stored = (dir: string, metric: string): Array<{ labels: Record<string, string>; value: number }> =>
  storedPoints(join(dir, 'metrix.db'), metric).map((p) => ({ labels: { ...p.labels }, value: p.value }));

describe('the new series through metrix execute on this machine', () => {
  it('stores a tmpfs /dev/shm, fs_readonly, steal, util, errors/drops, OOM kills and pressure, derived between two runs', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.xml'), CONFIG);
    for (let run = 0; run < 2; run++) {
      const done = await runCli(dir, ['execute']);
      expect(done.stderr).not.toMatch(/WARN|ERROR/);
      expect(done.code).toBe(0);
    }

    const shm = await runCli(dir, ['query', '-h', 'localhost', '-m', 'disk_used_percent', '--labels', 'mount=/dev/shm', '--format', 'csv']);
    expect(shm.stdout).toMatch(/^time,host,metric,labels,value\r\n(\S+,localhost,disk_used_percent,mount=\/dev\/shm,[\d.]+\r\n){2}$/);
    expect(stored(dir, 'fs_readonly').filter((s) => s.labels['mount'] === '/').map((s) => s.value)).toEqual([0, 0]);

    // Each run derives its figures: the first from its warm-up, the second from the first run's counters.
    const twice = (metric: string, labels: Record<string, string> = {}): number[] => {
      const values = stored(dir, metric).filter((s) => JSON.stringify(s.labels) === JSON.stringify(labels)).map((s) => s.value);
      expect(values, `${metric}${JSON.stringify(labels)}`).toHaveLength(2);
      return values;
    };
    for (const v of twice('cpu_steal_percent')) expect(v).toBeGreaterThanOrEqual(0);
    const disks = parseDiskStats(readFileSync('/proc/diskstats', 'utf8')).filter((d) => !isIgnoredDevice(d.device) && d.ioMs !== undefined);
    for (const disk of disks) for (const v of twice('disk_util_percent', { device: disk.device })) expect(v).toBeLessThanOrEqual(100);
    const ifaces = new Set(stored(dir, 'net_rx_bytes_per_sec').map((s) => s.labels['iface']!));
    for (const iface of ifaces) {
      for (const metric of ['net_rx_errors_per_sec', 'net_tx_errors_per_sec', 'net_rx_drops_per_sec', 'net_tx_drops_per_sec']) twice(metric, { iface });
    }
    if (parseOomKills(readFileSync('/proc/vmstat', 'utf8')) !== undefined) twice('oom_kills');
    if (existsSync('/proc/pressure/memory')) {
      for (const resource of ['cpu', 'memory', 'io']) twice('pressure_some_percent', { resource });
      for (const resource of ['memory', 'io']) twice('pressure_full_percent', { resource });
      expect(stored(dir, 'pressure_full_percent').filter((s) => s.labels['resource'] === 'cpu')).toEqual([]);
    }
  }, 60_000);
});
