const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one word for a POSIX shell; plain words stay readable. */
export function shellQuote(word: string): string {
  if (word.includes('\0')) throw new TypeError('a shell word cannot contain a NUL byte');
  if (SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** One command line from an argument vector, every word quoted. */
export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/**
 * A path on the remote host. `~/x` becomes the relative `x`: both the remote shell and the
 * SFTP server start in the user's home, and a quoted `~` would not be expanded.
 */
export function remotePath(dir: string, name?: string): string {
  const base = dir === '~' ? '.' : dir.startsWith('~/') ? dir.slice(2) || '.' : dir;
  if (name === undefined) return base;
  return base.endsWith('/') ? `${base}${name}` : `${base}/${name}`;
}
