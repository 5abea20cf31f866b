import { readings, readProcFile, sample, toCount, type Collector } from './collector.js';

export interface DiskStat {
  readonly device: string;
  readonly readBytes: number;
  readonly writeBytes: number;
}

// /proc/diskstats counts in 512-byte sectors whatever the device's real sector size.
const SECTOR_BYTES = 512;

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
    });
  }
  return disks;
}

export const diskstatsCollector: Collector = {
  name: 'diskstats',
  readsCounters: true,
  async collect(ctx) {
    const counters = [];
    for (const disk of parseDiskStats(readDiskStats(ctx.procRoot))) {
      if (isIgnoredDevice(disk.device)) continue;
      counters.push(sample('disk_read_bytes_total', disk.readBytes, { device: disk.device }));
      counters.push(sample('disk_write_bytes_total', disk.writeBytes, { device: disk.device }));
    }
    return readings([], counters);
  },
};
