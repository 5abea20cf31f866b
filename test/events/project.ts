import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes the events tests' config.xml into `dir`: f4/f5-style local hosts with their groups
 * (local transport: no keys or SSH needed to load it), and `extra` elements after <hosts>.
 */
export function writeConfig(dir: string, hosts: ReadonlyArray<readonly [name: string, groups: string]>, extra = ''): void {
  const lines = hosts.map(([name, groups]) => `    <host name="${name}" transport="local" groups="${groups}"/>`);
  writeFileSync(join(dir, 'config.xml'), `<metrix>\n  <settings database="./metrix.db" keys="./keys"/>\n  <hosts>\n${lines.join('\n')}\n  </hosts>\n${extra}\n</metrix>\n`);
}
