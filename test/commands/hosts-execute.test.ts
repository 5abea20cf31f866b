import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';

// End to end through the built CLI (npm run build): a real execute of this machine, then hosts.
const BIN = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'bin', 'metrix.js');

function metrix(cwd: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd, timeout: 60_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('metrix hosts after a real execute', () => {
  it('shows the local host up, seen just now, with the cpu, mem, load and disk it reported, and a configured host never polled', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'config.xml'),
      `<metrix>
  <settings database="./metrix.db" keys="./keys"/>
  <hosts>
    <host name="master" transport="local" groups="admin"/>
    <host name="later" transport="local"/>
  </hosts>
</metrix>
`,
    );
    const before = Date.now();
    const polled = await metrix(dir, ['execute', '-h', 'master']);
    expect(polled.code, polled.stderr).toBe(0);
    const after = Date.now();

    const result = await metrix(dir, ['hosts', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const [later, master] = JSON.parse(result.stdout) as Array<Record<string, unknown>>; // both in "the rest": by name
    expect(master).toMatchObject({ host: 'master', groups: ['admin'], state: 'up', reason: null, message: null, alerts: [] });
    const seen = Date.parse(master!['last_seen'] as string);
    expect(seen).toBeGreaterThanOrEqual(before);
    expect(seen).toBeLessThanOrEqual(after);
    for (const metric of ['cpu_percent', 'mem_percent', 'disk_used_percent']) {
      expect(master![metric], metric).toBeGreaterThanOrEqual(0);
      expect(master![metric], metric).toBeLessThanOrEqual(100);
    }
    expect(master!['mem_percent']).toBeGreaterThan(0);
    expect(master!['load1']).toBeGreaterThanOrEqual(0);
    expect(master!['disk_mount']).toMatch(/^\//);
    expect(later).toMatchObject({ host: 'later', state: 'never polled', last_seen: null, cpu_percent: null });

    const table = await metrix(dir, ['hosts']);
    expect(table.stdout).toMatch(/^master\s+admin\s+up\s+\d+s ago\s+[\d.]+\s+[\d.]+\s+[\d.]+% \/\S*\s+[\d.]+$/m);
  });
});
