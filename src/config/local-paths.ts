import { statSync } from 'node:fs';
import type { Config } from './types.js';

type Want = 'directory' | 'file';

/** What sits at `path`, when something does and it is not what is wanted. */
function mismatch(path: string, want: Want): string | undefined {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return undefined; // missing: made when first needed
  }
  if (want === 'directory' && !stats.isDirectory()) return 'not a directory';
  if (want === 'file' && stats.isDirectory()) return 'a directory, not a file';
  return undefined;
}

/**
 * The local paths the config names, checked against what is on disk: a keys directory that
 * is a file would otherwise surface later as a raw EEXIST or a misleading "no poller.key".
 * Missing paths are fine (metrix creates them); only a wrong kind of thing is a problem.
 */
export function checkLocalPaths(config: Config): string[] {
  const checks: [string, string, Want][] = [
    ['<settings> keys', config.settings.keysDir, 'directory'],
    ['<settings> database', config.settings.database, 'file'],
  ];
  if (config.mail.transport === 'file') checks.push(['<mail> dir', config.mail.dir, 'directory']);
  return checks.flatMap(([where, path, want]) => {
    const problem = mismatch(path, want);
    return problem ? [`${where}: ${path} is ${problem}${want === 'directory' ? ' (it names a directory metrix keeps files in)' : ''}`] : [];
  });
}
