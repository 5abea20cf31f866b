import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesystemGauges, parseStatfs, type Statfs } from '../../client-script/src/collectors/filesystem.js';
import { isPseudoMount, parseMounts, readMounts, selectMounts, unescapeMountField } from '../../client-script/src/collectors/mounts.js';
import {
  formatSince, MAX_HUNG_MOUNTS, parseHungHelpers, planHungHelpers, renderHungHelpers, stillHungMessage, type HungHelper,
} from '../../client-script/src/hung-statfs.js';
import { parseProcStat } from '../../client-script/src/process-identity.js';
import { fixture } from './helpers.js';
import { tempDir } from '../helpers/tmp.js';

describe('mount table', () => {
  it('keeps only real filesystems and tmpfs, decodes escapes and lets the last mount on a point win', () => {
    const selected = selectMounts(parseMounts(fixture('proc/self/mounts')));
    expect(selected.map((m) => [m.mountPoint, m.device, m.fsType])).toEqual([
      // tmpfs as node_exporter has it, /dev/shm kept from the /dev tree; /run/user/1000 and /sys/fs/cgroup left out.
      ['/dev/shm', 'tmpfs', 'tmpfs'],
      ['/run', 'tmpfs', 'tmpfs'],
      ['/', '/dev/mapper/vg0-root', 'xfs'],
      ['/boot', '/dev/sda1', 'xfs'],
      ['/data/run 2024', '/dev/sdb1', 'ext4'],
      ['/home', 'nfs01:/export/home', 'nfs4'],
      ['/lustre', '10.0.0.10@o2ib:/lustre', 'lustre'],
      // /tmp's tmpfs hides /dev/sdd1. /scratch is mounted twice: the later /dev/sdc1 hides vg0-scratch.
      ['/tmp', 'tmpfs', 'tmpfs'],
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
    ['tmpfs /run', 'tmpfs', '/run', false],
    ['tmpfs /dev/shm', 'tmpfs', '/dev/shm', false],
    ['tmpfs under /dev/shm', 'tmpfs', '/dev/shm/x', true],
    ['tmpfs /run/user/1000', 'tmpfs', '/run/user/1000', true],
    ['tmpfs systemd credentials', 'ramfs', '/run/credentials/x.service', true],
    ['tmpfs pod secret', 'tmpfs', '/var/lib/kubelet/pods/0f/volumes/kubernetes.io~secret/token', true],
    ['ramfs', 'ramfs', '/mnt/ram', true],
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

describe('hung statfs helpers', () => {
  const helper = (mount: string, pid = 1234): HungHelper => ({ mount, pid, startTime: '98765', since: '2026-11-30T10:00:00Z' });
  const entry = (over: Record<string, unknown> = {}): Record<string, unknown> =>
    ({ mount: '/mnt/fuse', pid: 1234, start: '98765', since: '2026-11-30T10:00:00Z', ...over });

  it('words a mount that is still hung for the sysadmin', () => {
    expect(stillHungMessage(helper('/mnt/fuse'))).toBe(
      '/mnt/fuse: statfs still hung since 2026-11-30T10:00:00Z (helper pid 1234 stuck in the kernel); not retried until it ends');
  });

  it('dates helpers in UTC to the second', () => {
    expect(formatSince(Date.UTC(2026, 10, 30, 10, 0, 0, 999))).toBe('2026-11-30T10:00:00Z');
  });

  it('reads back what it stores', () => {
    const helpers = [helper('/mnt/fuse'), helper('/home', 77)];
    expect(parseHungHelpers(JSON.parse(JSON.stringify(renderHungHelpers(helpers))))).toEqual(helpers);
    expect(renderHungHelpers([])).toBeUndefined();
  });

  it.each([
    ['not a list', { '/mnt/fuse': entry() }],
    ['a list of strings', ['/mnt/fuse']],
    ['pid 1 (init is never our helper)', [entry({ pid: 1 })]],
    ['a pid as text', [entry({ pid: '1234' })]],
    ['a fractional pid', [entry({ pid: 12.5 })]],
    ['a pid past the kernel limit', [entry({ pid: 5000000 })]],
    ['a start time with letters', [entry({ start: '12a' })]],
    ['a start time as a number', [entry({ start: 98765 })]],
    ['a date with milliseconds', [entry({ since: '2026-11-30T10:00:00.000Z' })]],
    ['an impossible date', [entry({ since: '2026-13-45T10:00:00Z' })]],
    ['an empty mount', [entry({ mount: '' })]],
  ])('drops %s', (_name, section) => {
    expect(parseHungHelpers(section)).toEqual([]);
  });

  it('keeps the first entry of a mount and at most MAX_HUNG_MOUNTS', () => {
    expect(parseHungHelpers([entry({ pid: 10 }), entry({ pid: 11 })]).map((h) => h.pid)).toEqual([10]);
    const many = Array.from({ length: 100 }, (_, i) => entry({ mount: `/m${i}` }));
    expect(parseHungHelpers(many)).toHaveLength(MAX_HUNG_MOUNTS);
  });

  it('plans only mounts still in the table, in its order, one each, at most MAX_HUNG_MOUNTS', () => {
    const plan = planHungHelpers(['/', '/home', '/mnt/fuse'], [helper('/mnt/fuse'), helper('/gone'), helper('/home', 5), helper('/home', 6)]);
    expect(plan.map((h) => [h.mount, h.pid])).toEqual([['/home', 5], ['/mnt/fuse', 1234]]);
    const mounts = Array.from({ length: 100 }, (_, i) => `/m${i}`);
    const capped = planHungHelpers(mounts, mounts.slice().reverse().map((m) => helper(m)));
    expect(capped.map((h) => h.mount)).toEqual(mounts.slice(0, MAX_HUNG_MOUNTS));
  });
});

describe('/proc/<pid>/stat', () => {
  const tail = 'S 1 1 1 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 743091 3133440 380 18446744073709551615';
  it.each([
    ['a plain name', `4321 (stat) ${tail}`, { state: 'S', startTime: '743091' }],
    ['a name with spaces and parentheses', `4321 (a) (b c) ${tail}`, { state: 'S', startTime: '743091' }],
    ['a process stuck in the kernel', `4321 (stat) ${tail.replace(/^S/, 'D')}`, { state: 'D', startTime: '743091' }],
    ['a line cut short', '4321 (stat) S 1 1 1', undefined],
    ['no name', '4321 stat S', undefined],
  ])('parses %s', (_name, text, expected) => {
    expect(parseProcStat(text)).toEqual(expected);
  });
});
