// The collector in remoteDir runs as the login user at every poll, so whoever can replace it
// owns that user on the host. metrix never changes an existing directory's mode (a shared
// 1777 directory made 0700 would break every other user of it); it refuses one it cannot trust.

export interface RemoteDirStats {
  /** Permission bits with the sticky, setuid and setgid bits (st_mode & 07777). */
  readonly mode: number;
  readonly uid: number;
  readonly isDirectory: boolean;
  readonly isSymbolicLink: boolean;
}

const octal = (mode: number): string => mode.toString(8).padStart(4, '0');

/**
 * Why an existing remoteDir cannot hold the collector, or undefined when it can: it must be a
 * real directory (not a symlink, which could be pointed elsewhere), owned by the login user,
 * and writable by no one else.
 */
export function remoteDirStatsProblem(dir: string, stats: RemoteDirStats, loginUid: number): string | undefined {
  if (stats.isSymbolicLink) return `remoteDir ${dir} is a symbolic link; set remoteDir to the directory it points to`;
  if (!stats.isDirectory) return `${dir} exists and is not a directory`;
  if ((stats.mode & 0o022) !== 0) {
    const who = (stats.mode & 0o002) !== 0 ? 'everyone' : 'its group';
    return `remoteDir ${dir} is writable by ${who} (mode ${octal(stats.mode)}), who could replace the collector; metrix leaves its mode alone: set remoteDir to a directory of the login user's own (metrix creates it 0700), or run chmod go-w ${dir}`;
  }
  if (stats.uid !== loginUid) {
    return `remoteDir ${dir} belongs to uid ${stats.uid}, not to the login user (uid ${loginUid}), who could replace the collector; set remoteDir to a directory of the login user's own (metrix creates it 0700)`;
  }
  return undefined;
}

/**
 * Why a directory above remoteDir makes it unsafe, or undefined: one that others may write
 * without the sticky bit lets them rename remoteDir away and put their own collector in its
 * place. A sticky shared directory (/tmp, 1777) is fine: there only an entry's owner may rename it.
 */
export function ancestorProblem(dir: string, ancestor: string, mode: number): string | undefined {
  if ((mode & 0o022) === 0 || (mode & 0o1000) !== 0) return undefined;
  const who = (mode & 0o002) !== 0 ? 'everyone' : 'its group';
  return `${ancestor}, above remoteDir ${dir}, is writable by ${who} without the sticky bit (mode ${octal(mode)}), who could move ${dir} away and put their own collector in its place; choose a remoteDir under directories only their owners can write, or run chmod +t ${ancestor}`;
}
