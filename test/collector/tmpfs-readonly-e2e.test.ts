import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_KEY_FILE, type Report } from '../../client-script/src/protocol.js';
import { buildIntoTempDir, BUNDLE_NAME, newKeys, openLine, runBundle, runProgram, valueOf, writeKeyFile, type Run } from './helpers.js';
import { tempDir } from '../helpers/tmp.js';

// The bundled collector on this machine's real mount table: a tmpfs /dev/shm is reported (a
// full one is a classic MPI job failure), and fs_readonly shows read-only mounts. The mounts
// the test makes live in a private mount namespace (unshare -m) that ends with the collector,
// so nothing is left mounted on the machine whatever happens to the test.

const HOST = 'tmpfs-test';
const CHALLENGE = 'dG1wZnMtcmVhZG9ubHk=';
const keys = newKeys();
let dir = '';

beforeAll(() => {
  dir = buildIntoTempDir();
  writeKeyFile(join(dir, HOST_KEY_FILE), HOST, keys);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sealed(run: Run): Report {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return openLine(run.stdout.trimEnd(), keys);
}

/** The filesystem type mounted at `point` in this process's mount table (the last entry wins), if any. */
function fsTypeAt(point: string): string | undefined {
  let found: string | undefined;
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (dash > 0 && fields[4] === point) found = fields[dash + 1];
  }
  return found;
}

/** Whether this process may make a private mount namespace and mount in it (root with CAP_SYS_ADMIN). */
const canMount = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=4k probe /mnt'], { stdio: 'ignore' }).status === 0;

/** Runs `script` in a private mount namespace, then the bundle there with `args`; killed after 20 s. */
function inPrivateNamespace(script: string, args: readonly string[]): Promise<Run> {
  const namespaced = ['-m', '--propagation', 'private', 'sh', '-ec', `${script}\nexec "$@"`, 'sh', process.execPath, join(dir, BUNDLE_NAME), ...args];
  return runProgram('unshare', namespaced, dir);
}

describe('tmpfs and read-only filesystems, on this machine', () => {
  it.skipIf(fsTypeAt('/dev/shm') !== 'tmpfs')('reports the real tmpfs /dev/shm: disk_used_percent, disk_free_bytes and fs_readonly (skipped where /dev/shm is no tmpfs mount)', async () => {
    const report = sealed(await runBundle(dir, ['--challenge', CHALLENGE]));
    const shm = { mount: '/dev/shm' };
    const used = valueOf(report.gauges, 'disk_used_percent', shm);
    expect(used).toBeGreaterThanOrEqual(0);
    expect(used).toBeLessThanOrEqual(100);
    expect(valueOf(report.gauges, 'disk_free_bytes', shm)).toBeGreaterThan(0);
    expect(valueOf(report.gauges, 'fs_readonly', shm)).toBe(0);
    expect(valueOf(report.gauges, 'fs_readonly', { mount: '/' })).toBe(0);
    expect(report.errors).toEqual([]);
  });

  it.skipIf(!canMount)('sees a tmpfs fill up, a read-only bind mount and a tmpfs remounted read-only; a second bind of the same view once (skipped where mount namespaces are not permitted)', async () => {
    const work = tempDir();
    const [full, again, ro, remounted] = ['full', 'again', 'ro view', 'remounted'].map((name) => join(work, name)) as [string, string, string, string];
    for (const point of [full, again, ro, remounted]) mkdirSync(point);
    const script = [
      // 1 MiB of tmpfs, three quarters of it written: 75 % used, 256 KiB free.
      `mount -t tmpfs -o size=1m metrix-full '${full}'`,
      `head -c 786432 /dev/zero > '${full}/job.shm'`,
      `mount --bind '${full}' '${again}'`,
      `mount -o bind,ro '${full}' '${ro}'`,
      `mount -t tmpfs -o size=1m metrix-remounted '${remounted}'`,
      `mount -o remount,ro '${remounted}'`,
    ].join('\n');
    const report = sealed(await inPrivateNamespace(script, ['--challenge', CHALLENGE]));
    const gauge = (m: string, mount: string): number | undefined => valueOf(report.gauges, m, { mount });
    expect(gauge('disk_used_percent', full)).toBe(75);
    expect(gauge('disk_free_bytes', full)).toBe(262144);
    expect(gauge('fs_readonly', full)).toBe(0);
    expect(gauge('fs_readonly', ro)).toBe(1);
    expect(gauge('disk_used_percent', ro)).toBe(75);
    expect(gauge('fs_readonly', remounted)).toBe(1);
    expect(gauge('disk_used_percent', remounted)).toBe(0);
    // The writable bind of the same directory repeats `full` and is left out.
    expect(report.gauges.filter((s) => s.l?.['mount'] === again)).toEqual([]);
    expect(report.errors).toEqual([]);
    // Nothing the test mounted is left in this namespace.
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(work);
  });
});
