import { readProcFile } from './collector.js';

export interface Mount {
  readonly device: string;
  readonly mountPoint: string;
  readonly fsType: string;
  /** Mounted read-only, by the mount's own flag or the filesystem's (ext4 errors=remount-ro sets the latter). */
  readonly readOnly: boolean;
  /**
   * From /proc/self/mountinfo only: the filesystem's device number ("0:23") and the directory of it
   * mounted here ("/" unless a bind mount of a subtree). Two entries alike in both (and in
   * read-only-ness) are one view of one filesystem mounted twice.
   */
  readonly devId?: string;
  readonly root?: string;
}

// Filesystems that hold no user data or mirror another one: kernel interfaces, container
// layers, read-only images. node_exporter's default list, plus a few more of the same kinds.
// tmpfs is kept, as node_exporter keeps it: a full /dev/shm (MPI shared memory) or tmpfs /tmp
// fails jobs. ramfs has no size: statfs says 0 blocks, so there is nothing to be full.
const PSEUDO_FS_TYPES = [
  'autofs', 'binfmt_misc', 'bpf', 'cgroup', 'cgroup2', 'configfs', 'cpuset', 'debugfs', 'devfs',
  'devpts', 'devtmpfs', 'efivarfs', 'erofs', 'fusectl', 'fuse.gvfsd-fuse', 'fuse.lxcfs',
  'fuse.portal', 'fuse.snapfuse', 'hugetlbfs', 'iso9660', 'mqueue', 'nfsd', 'nsfs', 'overlay',
  'pipefs', 'proc', 'procfs', 'pstore', 'ramfs', 'rootfs', 'rpc_pipefs', 'securityfs',
  'selinuxfs', 'sockfs', 'squashfs', 'sysfs', 'tracefs', 'usbfs',
];
const PSEUDO = new Set(PSEUDO_FS_TYPES);

// node_exporter's default mount-point exclusion (kernel trees, container runtimes' private
// mounts), but with /dev/shm kept, and also leaving out per-user runtime directories (a login
// node has one tmpfs per session, each coming and going) and Kubernetes pods' secret volumes.
const IGNORED_MOUNT_POINTS = /^\/(dev|proc|sys|run\/credentials\/.+|run\/user\/.+|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+|var\/lib\/kubelet\/pods\/.+)($|\/)/;
const KEPT_MOUNT_POINTS = /^\/dev\/shm$/;

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
      readOnly: hasOption(fields[3], 'ro'),
    });
  }
  return mounts;
}

const hasOption = (options: string | undefined, option: string): boolean => (options || '').split(',').indexOf(option) >= 0;

/** /proc/self/mountinfo (Linux 2.6.26 on), or undefined where it cannot be read. */
export function readMountInfo(procRoot: string): string | undefined {
  try {
    return readProcFile(procRoot, 'self/mountinfo');
  } catch {
    return undefined;
  }
}

/**
 * Parses "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue":
 * id, parent, device number, root, mount point, mount options, optional fields, "-", type,
 * source, filesystem options. A line not of that form is passed over.
 */
export function parseMountInfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || fields.length < dash + 3 || !/^\d+:\d+$/.test(fields[2]!)) continue;
    mounts.push({
      device: unescapeMountField(fields[dash + 2]!),
      mountPoint: unescapeMountField(fields[4]!),
      fsType: fields[dash + 1]!,
      readOnly: hasOption(fields[5], 'ro') || hasOption(fields[dash + 3], 'ro'),
      devId: fields[2]!,
      root: unescapeMountField(fields[3]!),
    });
  }
  return mounts;
}

/** The mount table: mountinfo where the kernel has it (it tells bind mounts apart), else mounts. */
export function loadMounts(procRoot: string): Mount[] {
  const info = readMountInfo(procRoot);
  const parsed = info === undefined ? [] : parseMountInfo(info);
  return parsed.length > 0 ? parsed : parseMounts(readMounts(procRoot));
}

export function isPseudoMount(mount: Pick<Mount, 'fsType' | 'mountPoint'> & Partial<Mount>): boolean {
  if (PSEUDO.has(mount.fsType)) return true;
  return IGNORED_MOUNT_POINTS.test(mount.mountPoint) && !KEPT_MOUNT_POINTS.test(mount.mountPoint);
}

/**
 * The mounts worth a statfs, in table order. When something is mounted over a mount point the
 * later entry is what users see there, so the last entry wins before the pseudo filter runs.
 * A bind mount that shows the same directory of the same filesystem as an earlier entry, just
 * as writable, is left out: it would repeat that entry's figures under another name (mountinfo
 * only; /proc/mounts cannot tell, e.g. every tmpfs there is named "tmpfs").
 */
export function selectMounts(mounts: readonly Mount[]): Mount[] {
  const byPoint = new Map<string, Mount>();
  for (const mount of mounts) {
    byPoint.delete(mount.mountPoint);
    byPoint.set(mount.mountPoint, mount);
  }
  const selected: Mount[] = [];
  const views = new Set<string>();
  byPoint.forEach((mount) => {
    if (isPseudoMount(mount)) return;
    if (mount.devId !== undefined) {
      const view = `${mount.devId}\u0000${mount.root}\u0000${mount.readOnly ? 'ro' : 'rw'}`;
      if (views.has(view)) return;
      views.add(view);
    }
    selected.push(mount);
  });
  return selected;
}
