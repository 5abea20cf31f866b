import { posix } from 'node:path';

// Directories whose owner is the system, or that every user shares. metrix makes remoteDir its
// own (0700), so it must be a directory of its own, never one of these.
const SYSTEM_DIRS = new Set([
  '/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib32', '/lib64', '/libx32', '/media', '/mnt', '/opt', '/proc',
  '/root', '/run', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/var',
  '/usr/bin', '/usr/lib', '/usr/lib64', '/usr/libexec', '/usr/local', '/usr/local/bin', '/usr/local/lib', '/usr/local/sbin',
  '/usr/sbin', '/usr/share', '/usr/src', '/var/cache', '/var/lib', '/var/log', '/var/mail', '/var/opt', '/var/run',
  '/var/spool', '/var/tmp', '/dev/shm', '/run/user',
]);

const MAX_REMOTE_DIR_LENGTH = 1024;

/** The directory without doubled slashes, "." parts or a trailing slash, for comparing. */
function canonical(raw: string): string {
  const normal = posix.normalize(raw);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

/**
 * Why `raw` cannot be a host's remoteDir, or undefined when it can. The value is used as
 * written; ".." is refused because on the host it follows symlinks, so what it names cannot
 * be known here.
 */
export function remoteDirProblem(raw: string): string | undefined {
  if (!raw.startsWith('/')) return 'not an absolute path (a directory on the hosts must start with "/")';
  if (raw.length > MAX_REMOTE_DIR_LENGTH) return `too long (${raw.length} characters; at most ${MAX_REMOTE_DIR_LENGTH})`;
  if (raw.split('/').includes('..')) return 'has a ".." part (write the directory it means)';
  const dir = canonical(raw);
  if (SYSTEM_DIRS.has(dir)) {
    return `a system or shared directory; metrix makes remoteDir private (0700) and keeps the collector there, so give it one of its own (e.g. ${dir === '/' ? '' : dir}/metrix)`;
  }
  return undefined;
}
