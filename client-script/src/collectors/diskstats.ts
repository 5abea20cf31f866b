import type { Sample } from '../protocol.js';
import { optionalCount, readings, readProcFile, sample, toCount, type Collector } from './collector.js';

export interface DiskStat {
  readonly device: string;
  readonly readBytes: number;
  readonly writeBytes: number;
  /**
   * Milliseconds the device had I/O in flight (io_ticks, the 10th counter): iostat's %util and
   * node_exporter's io_time_seconds. Undefined on the short partition lines of 2.6-era kernels.
   */
  readonly ioMs: number | undefined;
}

// /proc/diskstats counts in 512-byte sectors whatever the device's real sector size.
const SECTOR_BYTES = 512;
// Field index of io_ticks on a full line: major minor name, then counters 1..11 (io_ticks is the 10th).
const IO_TICKS = 12;

// node_exporter's default: partitions (their disk is counted already), loop devices, ram disks, floppies.
const IGNORED_DEVICES = /^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$/;

export function readDiskStats(procRoot: string): string {
  return readProcFile(procRoot, 'diskstats');
}

export function isIgnoredDevice(device: string): boolean {
  return IGNORED_DEVICES.test(device);
}

/**
 * Parses "major minor name reads merged sectors_read ms writes merged sectors_written ...".
 * Partitions on 2.6-era kernels have only four counters: reads, sectors read, writes, sectors written.
 */
export function parseDiskStats(text: string): DiskStat[] {
  const disks: DiskStat[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === '') continue;
    const device = fields[2];
    if (device === undefined || (fields.length !== 7 && fields.length < 14)) {
      throw new Error(`bad /proc/diskstats line: ${JSON.stringify(line)}`);
    }
    const [readField, writeField] = fields.length === 7 ? [4, 6] : [5, 9];
    disks.push({
      device,
      readBytes: toCount(fields[readField], `${device} sectors read`) * SECTOR_BYTES,
      writeBytes: toCount(fields[writeField], `${device} sectors written`) * SECTOR_BYTES,
      ioMs: fields.length === 7 ? undefined : optionalCount(fields[IO_TICKS]),
    });
  }
  return disks;
}

export const diskstatsCollector: Collector = {
  name: 'diskstats',
  readsCounters: true,
  async collect(ctx) {
    const counters: Sample[] = [];
    for (const disk of parseDiskStats(readDiskStats(ctx.procRoot))) {
      if (isIgnoredDevice(disk.device)) continue;
      counters.push(sample('disk_read_bytes_total', disk.readBytes, { device: disk.device }));
      counters.push(sample('disk_write_bytes_total', disk.writeBytes, { device: disk.device }));
      if (disk.ioMs !== undefined) counters.push(sample('disk_io_ms_total', disk.ioMs, { device: disk.device }));
    }
    return readings([], counters);
  },
};
