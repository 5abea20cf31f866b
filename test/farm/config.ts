import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Farm } from './farm.js';

export interface FarmHost {
  readonly name: string;
  /** The sshd (or silent server) port this host name points at. */
  readonly port: number;
}

/**
 * Writes `dir/config.xml` for hosts on the farm, each with its own remoteDir under
 * `dir/remote/`, the farm's client key, known_hosts and this Node; `settings` are the
 * attributes of <settings>. Returns `dir`.
 */
export function writeFarmConfig(farm: Farm, dir: string, hosts: readonly FarmHost[], settings: string): string {
  const host = ({ name, port }: FarmHost): string =>
    `<host name="${name}" address="127.0.0.1" port="${port}" remoteDir="${join(dir, 'remote', name)}"/>`;
  writeFileSync(
    join(dir, 'config.xml'),
    `<metrix>
  <settings ${settings}/>
  <defaults identityFile="${farm.clientKey.path}" knownHosts="${farm.knownHosts}" node="${process.execPath}"/>
  <hosts>
    ${hosts.map(host).join('\n    ')}
  </hosts>
</metrix>
`,
  );
  return dir;
}
