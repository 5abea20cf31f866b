import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesystemGauges, parseStatfs, type Statfs } from '../../client-script/src/collectors/filesystem.js';
import { isPseudoMount, parseMounts, readMounts, selectMounts, unescapeMountField } from '../../client-script/src/collectors/mounts.js';
import { fixture } from './helpers.js';
import { tempDir } from '../helpers/tmp.js';

describe('mount table', () => {
  it('keeps only real filesystems, decodes escapes and lets the last mount on a point win', () => {
    const selected = selectMounts(parseMounts(fixture('proc/self/mounts')));
    expect(selected.map((m) => [m.mountPoint, m.device, m.fsType])).toEqual([
      ['/', '/dev/mapper/vg0-root', 'xfs'],
      ['/boot', '/dev/sda1', 'xfs'],
      ['/data/run 2024', '/dev/sdb1', 'ext4'],
      ['/home', 'nfs01:/export/home', 'nfs4'],
      ['/lustre', '10.0.0.10@o2ib:/lustre', 'lustre'],
      // /scratch is mounted twice: the later /dev/sdc1 hides vg0-scratch. /tmp's tmpfs hides /dev/sdd1.
      ['/scratch', '/dev/sdc1', 'ext4'],
    ]);
  });

  it.each([
    ['space', '/data/run\\0402024', '/data/run 2024'],
    ['tab and newline', '/a\\011b\\012c', '/a\tb\nc'],
    ['backslash', '/odd\\134name', '/odd\\name'],
    ['nothing to decode', '/home', '/home'],
  ])('decodes %s', (_name, raw, decoded) => {
    expect(unescapeMountField(raw)).toBe(decoded);
  });

  it.each([
    ['tmpfs', 'tmpfs', '/run', true],
    ['overlay', 'overlay', '/var/lib/docker/overlay2/x/merged', true],
    ['cgroup2', 'cgroup2', '/sys/fs/cgroup', true],
    ['lxcfs', 'fuse.lxcfs', '/var/lib/lxcfs', true],
    ['squashfs snap', 'squashfs', '/snap/core/1', true],
    ['ext4 under /dev', 'ext4', '/dev/foo', true],
    ['ext4 in docker storage', 'ext4', '/var/lib/docker/volumes/v', true],
    ['xfs root', 'xfs', '/', false],
    ['nfs4', 'nfs4', '/home', false],
    ['lustre', 'lustre', '/lustre', false],
    ['gpfs', 'gpfs', '/gpfs/fs1', false],
    ['a /devices lookalike', 'ext4', '/devices', false],
  ])('%s is pseudo: %s', (_name, fsType, mountPoint, pseudo) => {
    expect(isPseudoMount({ device: 'x', mountPoint, fsType })).toBe(pseudo);
  });

  it('rejects a line with too few fields', () => {
    expect(() => parseMounts('/dev/sda1 /\n')).toThrow(/bad mount table line/);
  });

  it('falls back to /proc/mounts when /proc/self/mounts is missing (kernels before 2.6.26)', () => {
    const root = tempDir();
    writeFileSync(join(root, 'mounts'), '/dev/hda1 / ext3 rw 0 0\n');
    expect(readMounts(root)).toBe('/dev/hda1 / ext3 rw 0 0\n');
    mkdirSync(join(root, 'self'));
    writeFileSync(join(root, 'self/mounts'), '/dev/sda1 / ext4 rw 0 0\n');
    expect(readMounts(root)).toBe('/dev/sda1 / ext4 rw 0 0\n');
  });
});

describe('statfs', () => {
  it.each([
    ['stat -f output', '4096 66053021 60337338 20882045 16777216 16365859\n', [4096, 66053021, 60337338, 20882045, 16777216, 16365859]],
    ['extra whitespace', '  512 10 5 5 0 0  ', [512, 10, 5, 5, 0, 0]],
  ])('parses %s', (_name, text, [fragmentSize, blocks, freeBlocks, availableBlocks, inodes, freeInodes]) => {
    expect(parseStatfs(text)).toEqual({ fragmentSize, blocks, freeBlocks, availableBlocks, inodes, freeInodes });
  });

  it.each([
    ['five numbers', '4096 1 1 1 1'],
    ['an error text', "stat: cannot read file system information for '/x': Permission denied"],
    ['a negative number', '4096 -1 1 1 1 1'],
  ])('rejects %s', (_name, text) => {
    expect(() => parseStatfs(text)).toThrow(/statfs/);
  });

  const fs = (fragmentSize: number, blocks: number, freeBlocks: number, availableBlocks: number, inodes: number, freeInodes: number): Statfs =>
    ({ fragmentSize, blocks, freeBlocks, availableBlocks, inodes, freeInodes });
  it.each([
    // As df on this machine: 5715683 used of 5715683 + 20882045 usable blocks -> 21.49% (df rounds up to 22%).
    ['root reserve counts as used', fs(4096, 66053021, 60337338, 20882045, 16777216, 16365859), { used: 21.49, free: 20882045 * 4096, inodes: 2.45 }],
    ['empty filesystem', fs(4096, 1000, 1000, 1000, 100, 100), { used: 0, free: 4096000, inodes: 0 }],
    ['full to the reserve', fs(1024, 1000, 50, 0, 10, 1), { used: 100, free: 0, inodes: 90 }],
    ['no inode table (btrfs, FUSE)', fs(4096, 1000, 500, 500, 0, 0), { used: 50, free: 2048000, inodes: undefined }],
    ['zero-sized pseudo mount', fs(4096, 0, 0, 0, 0, 0), { used: undefined, free: 0, inodes: undefined }],
  ])('%s', (_name, statfs, expected) => {
    const byName = new Map(filesystemGauges('/x', statfs).map((s) => [s.m, s]));
    expect(byName.get('disk_used_percent')?.v).toBe(expected.used);
    expect(byName.get('disk_free_bytes')?.v).toBe(expected.free);
    expect(byName.get('inodes_used_percent')?.v).toBe(expected.inodes);
    for (const sample of byName.values()) expect(sample.l).toEqual({ mount: '/x' });
  });
});
