import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LogSpec } from '../../client-script/src/checks-spec.js';
import { runWatches } from '../../client-script/src/checks-watch.js';
import { parseMountInfo } from '../../client-script/src/collectors/mounts.js';
import { HUNG_LOGS_SECTION, isNetworkFsType, mountOf, networkMountOf } from '../../client-script/src/logs-remote.js';
import { BUNDLE_NAME, buildIntoTempDir } from '../collector/helpers.js';
import { hungEntry, startStuck, stateOf } from '../collector/stuck-helpers.js';
import { tempDir } from '../helpers/tmp.js';

// A real mountinfo of a cluster node, cut down: local root and /var, NFS homes, Lustre
// scratch, an sshfs mount, tmpfs /dev/shm, and /scratch/local mounted over part of Lustre.
const MOUNTINFO = [
  '22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw',
  '23 22 254:2 / /var rw,relatime shared:2 - xfs /dev/vda2 rw',
  '24 22 0:45 / /home rw,relatime shared:3 - nfs4 fs1:/export/home rw,vers=4.2',
  '25 22 0:46 / /scratch rw,relatime shared:4 - lustre 10.0.0.1@o2ib:/scratch rw',
  '26 25 259:0 / /scratch/local rw,relatime shared:5 - ext4 /dev/nvme0n1 rw',
  '27 22 0:47 / /mnt/remote rw,relatime shared:6 - fuse.sshfs u@h:/ rw',
  '28 22 0:26 / /dev/shm rw,nosuid,nodev shared:7 - tmpfs tmpfs rw',
].join('\n');

describe('which logs are read through a helper', () => {
  const mounts = parseMountInfo(MOUNTINFO);

  it.each([
    ['/var/log/syslog', undefined],
    ['/var', undefined],
    ['/home/alice/app.log', '/home'],
    ['/homework/app.log', undefined],
    ['/scratch/job/out.log', '/scratch'],
    ['/scratch/local/job.log', undefined],
    ['/mnt/remote/x.log', '/mnt/remote'],
    ['/dev/shm/x.log', undefined],
  ])('%s: %s', (path, mount) => {
    expect(networkMountOf(path, mounts)).toBe(mount);
  });

  it('knows network and FUSE types, and local ones', () => {
    for (const type of ['nfs', 'nfs4', 'cifs', 'smb3', 'lustre', 'gpfs', 'ceph', 'glusterfs', 'beegfs', '9p', 'fuse', 'fuse.sshfs', 'fuseblk']) expect(isNetworkFsType(type)).toBe(true);
    for (const type of ['ext4', 'xfs', 'btrfs', 'tmpfs', 'zfs', 'overlay']) expect(isNetworkFsType(type)).toBe(false);
    expect(mountOf('/scratch/local', mounts)!.fsType).toBe('ext4');
  });
});

/** A proc tree whose mountinfo says `dir` is on the given filesystem type. */
function procSaying(dir: string, type: string): string {
  const root = tempDir();
  mkdirSync(join(root, 'self'));
  writeFileSync(join(root, 'self/mountinfo'), `22 1 254:1 / / rw shared:1 - ext4 /dev/vda1 rw\n24 22 0:45 / ${dir} rw shared:3 - ${type} fs1:/x rw\n`);
  return root;
}

describe('a log on a network mount', () => {
  let bundle: string;
  beforeAll(() => {
    bundle = join(buildIntoTempDir(), BUNDLE_NAME);
  }, 120_000);

  function setUp(type: string): { dir: string; statePath: string; logs: LogSpec[]; procRoot: string; marker: string } {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    writeFileSync(path, '');
    return { dir, statePath: join(tempDir(), 'state.json'), logs: [{ name: 'app', path, match: 'ERROR', ignoreCase: false }], procRoot: procSaying(dir, type), marker: join(tempDir(), 'started') };
  }

  it('is read by the collector run as a helper (--read-log), one per mount and poll, with the same following as in-process', async () => {
    const s = setUp('nfs4');
    const other = join(s.dir, 'other.log');
    writeFileSync(other, '');
    const logs = [...s.logs, { name: 'other', path: other, match: 'panic', ignoreCase: true }];
    // The real helper, counting its starts.
    const helper = ['sh', '-c', `echo x >> ${s.marker}; exec "${process.execPath}" "${bundle}" --read-log "$1"`, 'helper'];
    const deps = { statePath: s.statePath, now: Date.now, doneBy: Infinity, procRoot: s.procRoot, logHelper: helper };
    const first = await runWatches({ v: 1, checks: [], logs }, deps);
    expect(first.logs.map((l) => l.note)).toEqual([expect.stringMatching(/^first sight/), expect.stringMatching(/^first sight/)]);
    appendFileSync(s.logs[0]!.path, 'ok\nERROR one\nERROR two\n');
    appendFileSync(other, 'PANIC now\n');
    const second = await runWatches({ v: 1, checks: [], logs }, deps);
    expect(second.logs).toEqual([{ name: 'app', matches: 2, lines: ['ERROR one', 'ERROR two'] }, { name: 'other', matches: 1, lines: ['PANIC now'] }]);
    expect(second.errors).toEqual([]);
    expect(readFileSync(s.marker, 'utf8')).toBe('x\nx\n');
  }, 60_000);

  it('on a local filesystem is read in-process: no helper starts', async () => {
    const s = setUp('ext4');
    const deps = { statePath: s.statePath, now: Date.now, doneBy: Infinity, procRoot: s.procRoot, logHelper: ['sh', '-c', `echo > ${s.marker}`] };
    await runWatches({ v: 1, checks: [], logs: s.logs }, deps);
    appendFileSync(s.logs[0]!.path, 'ERROR here\n');
    expect((await runWatches({ v: 1, checks: [], logs: s.logs }, deps)).logs[0]).toMatchObject({ matches: 1 });
    expect(existsSync(s.marker)).toBe(false);
  });

  it('whose helper never answers: the poll still answers before its deadline, the helper is remembered, and the mount is not tried again while it lives', async () => {
    const s = setUp('lustre');
    // A helper that never answers, as one stuck on a dead Lustre server.
    const never = { statePath: s.statePath, now: Date.now, procRoot: s.procRoot, logHelper: ['sh', '-c', `echo > ${s.marker}; exec sleep 600`, 'helper'] };
    const hung = await runWatches({ v: 1, checks: [], logs: s.logs }, { ...never, doneBy: Date.now() + 1500 });
    expect(hung.logs[0]).toMatchObject({ name: 'app', matches: 0, note: expect.stringMatching(/^not read: the helper reading it did not answer within \d+ ms \(is .* hung\?\)$/) });
    expect(hung.errors[0]!.message).toMatch(/^app: .*app\.log: not read: the helper reading it did not answer/);
    expect(existsSync(s.marker)).toBe(true);
    const remembered = stateOf(s.statePath).sections[HUNG_LOGS_SECTION] as Array<{ mount: string; pid: number }>;
    expect(remembered).toEqual([expect.objectContaining({ mount: s.dir, pid: expect.any(Number) })]);

    // SIGKILL ends the shell above; a really stuck helper outlives it: stand one in for it.
    const stuck = startStuck();
    const state = stateOf(s.statePath);
    writeFileSync(s.statePath, JSON.stringify({ ...state, sections: { ...state.sections, [HUNG_LOGS_SECTION]: [hungEntry(s.dir, stuck)] } }));
    const started = join(tempDir(), 'started-again');
    const second = await runWatches({ v: 1, checks: [], logs: s.logs }, { ...never, logHelper: ['sh', '-c', `echo > ${started}`], doneBy: Date.now() + 60_000 });
    expect(existsSync(started)).toBe(false);
    expect(second.logs[0]!.note).toBe(`not read: ${s.dir} looks hung: the helper reading it (pid ${stuck.pid}, since 2026-11-30T10:00:00Z) is stuck in the kernel; no new one until it ends`);
    expect(stateOf(s.statePath).sections[HUNG_LOGS_SECTION]).toEqual([hungEntry(s.dir, stuck)]);

    // Once it ends, the mount is tried again.
    await stuck.stop();
    const third = await runWatches({ v: 1, checks: [], logs: s.logs }, { ...never, logHelper: [process.execPath, bundle, '--read-log'], doneBy: Date.now() + 60_000 });
    expect(third.errors).toEqual([]);
    expect(stateOf(s.statePath).sections[HUNG_LOGS_SECTION]).toBeUndefined();
  }, 60_000);
});
