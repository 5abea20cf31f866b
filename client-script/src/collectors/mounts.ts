import { readProcFile } from './collector.js';

export interface Mount {
  readonly device: string;
  readonly mountPoint: string;
  readonly fsType: string;
}

// Filesystems that hold no user data or mirror another one: kernel interfaces, memory-backed
// scratch space, container layers, read-only images. node_exporter's default list, plus tmpfs
// and ramfs, which would otherwise fill every report with /run, /dev/shm and /sys/fs/cgroup.
const PSEUDO_FS_TYPES = [
  'autofs', 'binfmt_misc', 'bpf', 'cgroup', 'cgroup2', 'configfs', 'cpuset', 'debugfs', 'devfs',
  'devpts', 'devtmpfs', 'efivarfs', 'erofs', 'fusectl', 'fuse.gvfsd-fuse', 'fuse.lxcfs',
  'fuse.portal', 'fuse.snapfuse', 'hugetlbfs', 'iso9660', 'mqueue', 'nfsd', 'nsfs', 'overlay',
  'pipefs', 'proc', 'procfs', 'pstore', 'ramfs', 'rootfs', 'rpc_pipefs', 'securityfs',
  'selinuxfs', 'sockfs', 'squashfs', 'sysfs', 'tmpfs', 'tracefs', 'usbfs',
];
const PSEUDO = new Set(PSEUDO_FS_TYPES);

// node_exporter's default mount-point exclusion: kernel trees and container runtimes' private mounts.
const IGNORED_MOUNT_POINTS = /^\/(dev|proc|sys|run\/credentials\/.+|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+)($|\/)/;

/** The mount table; /proc/self/mounts reflects this process's namespace, /proc/mounts is the pre-2.6.26 name. */
export function readMounts(procRoot: string): string {
  try {
    return readProcFile(procRoot, 'self/mounts');
  } catch {
    return readProcFile(procRoot, 'mounts');
  }
}

/** The kernel writes space, tab, newline and backslash in mount fields as octal escapes ("\040"). */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Parses "device mountpoint fstype options dump pass" lines. */
export function parseMounts(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3) throw new Error(`bad mount table line: ${JSON.stringify(line)}`);
    mounts.push({
      device: unescapeMountField(fields[0]!),
      mountPoint: unescapeMountField(fields[1]!),
      fsType: fields[2]!,
    });
  }
  return mounts;
}

export function isPseudoMount(mount: Mount): boolean {
  return PSEUDO.has(mount.fsType) || IGNORED_MOUNT_POINTS.test(mount.mountPoint);
}

/**
 * The mounts worth a statfs, in table order. When something is mounted over a mount point the
 * later entry is what users see there, so the last entry wins before the pseudo filter runs.
 */
export function selectMounts(mounts: readonly Mount[]): Mount[] {
  const byPoint = new Map<string, Mount>();
  for (const mount of mounts) {
    byPoint.delete(mount.mountPoint);
    byPoint.set(mount.mountPoint, mount);
  }
  const selected: Mount[] = [];
  byPoint.forEach((mount) => {
    if (!isPseudoMount(mount)) selected.push(mount);
  });
  return selected;
}
