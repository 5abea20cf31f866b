import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { CollectContext } from '../../client-script/src/collectors/collector.js';
import { createFilesystemCollector } from '../../client-script/src/collectors/filesystem.js';
import { HOST_KEY_FILE, STATE_FILE, type Report } from '../../client-script/src/protocol.js';
import { tempDir } from '../helpers/tmp.js';
import { buildIntoTempDir, FIXTURE_STATFS, FIXTURES, newKeys, openLine, runBundle, valueOf, writeKeyFile, writeScript } from './helpers.js';
import { endedOrZombie, hungEntry, parentOf, SINCE, startStuck, stateOf, waitUntil, writeState, type Stuck } from './stuck-helpers.js';

const NOW = Date.UTC(2026, 10, 30, 10, 0, 0);
const ANSWER = '4096 1000 500 500 100 50';

/**
 * A statfs stand-in that appends each mount it is asked about to `calls`; a mount listed in
 * `hang` records "pid starttime" in `hung-<n>` and then blocks like a dead NFS server.
 */
function fakeStatfs(work: string, answers: Readonly<Record<string, string>>): string {
  const cases = Object.entries(answers).map(([mount, answer]) => `  '${mount}') echo '${answer}' ;;`);
  return writeScript(join(work, 'fake-statfs'), [
    'for m; do :; done',
    `echo "$m" >> '${work}/calls'`,
    `if [ -f '${work}/hang' ] && grep -qxF -- "$m" '${work}/hang'; then`,
    `  echo "$$ $(sed 's/.*) //' /proc/$$/stat | cut -d' ' -f20)" > '${work}/hung-'"$(echo "$m" | tr / _)"`,
    '  exec sleep 60',
    'fi',
    'case "$m" in',
    ...cases,
    '  *) echo "no answer for $m" >&2; exit 1 ;;',
    'esac',
  ].join('\n'));
}

const calls = (work: string): string[] => (existsSync(join(work, 'calls')) ? readFileSync(join(work, 'calls'), 'utf8').trim().split('\n') : []);
const hungRecord = (work: string, mount: string): { pid: number; start: string } => {
  const [pid, start] = readFileSync(join(work, `hung-${mount.replace(/\//g, '_')}`), 'utf8').trim().split(' ');
  return { pid: Number(pid), start: start! };
};

describe('the filesystem collector with a hung mount, in one process', () => {
  const MOUNTS = ['/', '/mnt/fuse', '/data'];

  function setup(statePath?: string): { work: string; ctx: CollectContext; statePath: string } {
    const work = tempDir();
    mkdirSync(join(work, 'proc/self'), { recursive: true });
    writeFileSync(join(work, 'proc/self/mounts'),
      '/dev/sda1 / ext4 rw 0 0\nsshfs#me@far: /mnt/fuse fuse.sshfs rw 0 0\n/dev/sdb1 /data xfs rw 0 0\n');
    const path = statePath ?? join(work, STATE_FILE);
    const statfs = fakeStatfs(work, Object.fromEntries(MOUNTS.map((m) => [m, ANSWER])));
    const ctx: CollectContext = {
      procRoot: join(work, 'proc'), sysRoot: join(work, 'sys'), statfsCommand: [statfs], statfsTimeoutMs: 300, searchPath: '', statePath: path,
    };
    return { work, ctx, statePath: path };
  }
  const mountsReported = (gauges: readonly { m: string; l?: Record<string, string> }[]): string[] =>
    gauges.filter((s) => s.m === 'disk_free_bytes').map((s) => s.l!['mount']!);

  it('starts no helper for a mount whose helper is still stuck, poll after poll, and retries once it is gone', async () => {
    const { work, ctx, statePath } = setup();
    const stuck = startStuck();
    writeState(statePath, [hungEntry('/mnt/fuse', stuck)]);
    const collector = createFilesystemCollector(() => NOW + 60_000);
    const stillHung = `/mnt/fuse: statfs still hung since ${SINCE} (helper pid ${stuck.pid} stuck in the kernel); not retried until it ends`;

    const written = statSync(statePath);
    for (const poll of [1, 2]) {
      const result = await collector.collect(ctx);
      expect(result.errors, `poll ${poll}`).toEqual([{ collector: 'filesystem', message: stillHung }]);
      expect(mountsReported(result.gauges)).toEqual(['/', '/data']);
      expect(calls(work).filter((m) => m === '/mnt/fuse')).toEqual([]);
    }
    expect(calls(work)).toEqual(['/', '/data', '/', '/data']);
    // Nothing changed, so nothing was written: same file, same inode.
    expect(statSync(statePath).ino).toBe(written.ino);
    expect(stateOf(statePath).sections['hungStatfs']).toEqual([hungEntry('/mnt/fuse', stuck)]);

    await stuck.stop();
    const after = await collector.collect(ctx);
    expect(after.errors).toEqual([]);
    expect(mountsReported(after.gauges)).toEqual(MOUNTS);
    expect(calls(work).slice(4).sort()).toEqual(['/', '/data', '/mnt/fuse']);
    expect(stateOf(statePath)).toEqual({ v: 1, sections: {} });
  });

  it('remembers a helper that timed out by pid and start time, and retries once it has ended', async () => {
    const { work, ctx, statePath } = setup();
    writeFileSync(join(work, 'hang'), '/mnt/fuse\n');
    let clock = NOW;
    const collector = createFilesystemCollector(() => clock);

    const first = await collector.collect(ctx);
    expect(first.errors).toEqual([{ collector: 'filesystem', message: '/mnt/fuse: statfs timed out after 300ms' }]);
    expect(mountsReported(first.gauges)).toEqual(['/', '/data']);
    const helper = hungRecord(work, '/mnt/fuse');
    expect(stateOf(statePath)).toEqual({ v: 1, sections: { hungStatfs: [{ mount: '/mnt/fuse', pid: helper.pid, start: helper.start, since: SINCE }] } });
    expect(statSync(statePath).mode & 0o777).toBe(0o600);

    // This helper was killable (a script), so it ends: the next poll may try again.
    await waitUntil(`helper ${helper.pid} to end`, () => endedOrZombie(helper.pid));
    rmSync(join(work, 'hang'));
    clock += 60_000;
    const second = await collector.collect(ctx);
    expect(second.errors).toEqual([]);
    expect(mountsReported(second.gauges)).toEqual(MOUNTS);
    expect(calls(work).filter((m) => m === '/mnt/fuse')).toEqual(['/mnt/fuse', '/mnt/fuse']);
    expect(stateOf(statePath)).toEqual({ v: 1, sections: {} });
  });

  it('takes a live process with the remembered pid but another start time for a new one: the helper is gone', async () => {
    const { work, ctx, statePath } = setup();
    const other = startStuck();
    writeState(statePath, [hungEntry('/mnt/fuse', { pid: other.pid, startTime: String(Number(other.startTime) + 1) })]);
    const result = await createFilesystemCollector(() => NOW).collect(ctx);
    expect(result.errors).toEqual([]);
    expect(calls(work)).toContain('/mnt/fuse');
    expect(stateOf(statePath)).toEqual({ v: 1, sections: {} });
  });

  it('forgets a stuck helper of a mount that is no longer mounted, and keeps the others', async () => {
    const { ctx, statePath } = setup();
    const gone = startStuck();
    const fuse = startStuck();
    writeState(statePath, [hungEntry('/mnt/was-here', gone), hungEntry('/mnt/fuse', fuse)]);
    const result = await createFilesystemCollector(() => NOW).collect(ctx);
    expect(result.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^\/mnt\/fuse: statfs still hung/)]);
    expect(stateOf(statePath).sections['hungStatfs']).toEqual([hungEntry('/mnt/fuse', fuse)]);
  });

  it.each([
    ['corrupt', (path: string) => writeFileSync(path, '{"v":1,"sections":{"hungStatfs":[', { mode: 0o600 })],
    ['oversized', (path: string, stuck: Stuck) =>
      writeFileSync(path, JSON.stringify({ v: 1, sections: { hungStatfs: [hungEntry('/mnt/fuse', stuck)] } }) + ' '.repeat(1024 * 1024), { mode: 0o600 })],
  ])('ignores a %s state file: every mount is polled and the file is replaced', async (_name, plant) => {
    const { work, ctx, statePath } = setup();
    plant(statePath, startStuck());
    const result = await createFilesystemCollector(() => NOW).collect(ctx);
    expect(result.errors).toEqual([]);
    expect(mountsReported(result.gauges)).toEqual(MOUNTS);
    expect(calls(work)).toContain('/mnt/fuse');
    expect(stateOf(statePath)).toEqual({ v: 1, sections: {} });
  });

  it.runIf(process.getuid?.() === 0)('ignores a state file owned by another user: its stuck helper is not believed', async () => {
    const { work, ctx, statePath } = setup();
    writeState(statePath, [hungEntry('/mnt/fuse', startStuck())]);
    const { chownSync } = await import('node:fs');
    chownSync(statePath, 65534, 65534);
    const result = await createFilesystemCollector(() => NOW).collect(ctx);
    expect(result.errors).toEqual([]);
    expect(calls(work)).toContain('/mnt/fuse');
    expect(statSync(statePath).uid).toBe(0);
  });

  it('with a state file it cannot write, reports that once and every metric still', async () => {
    const blocker = join(tempDir(), 'a-file');
    writeFileSync(blocker, '');
    const { work, ctx, statePath } = setup(join(blocker, STATE_FILE));
    const collector = createFilesystemCollector(() => NOW);
    // Nothing to remember: nothing to write, nothing to report.
    expect((await collector.collect(ctx)).errors).toEqual([]);

    writeFileSync(join(work, 'hang'), '/mnt/fuse\n/data\n');
    const result = await collector.collect(ctx);
    expect(result.errors).toEqual([
      { collector: 'filesystem', message: '/mnt/fuse: statfs timed out after 300ms' },
      { collector: 'filesystem', message: '/data: statfs timed out after 300ms' },
      { collector: 'filesystem', message: `cannot write state file ${statePath} (ENOTDIR): a hung mount's statfs is retried on every poll until it can` },
    ]);
    expect(mountsReported(result.gauges)).toEqual(['/']);
  });
});

describe('the bundled collector with a hung mount', () => {
  const HOST = 'f4-test';
  const CHALLENGE = 'q0lZ8r3Nf1mXJc2k9vT7yA==';
  const keys = newKeys();
  const STATFS = FIXTURE_STATFS;
  let dir = '';
  beforeAll(() => {
    dir = buildIntoTempDir();
    writeKeyFile(join(dir, HOST_KEY_FILE), HOST, keys);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const args = (statfs: string, ...more: string[]): string[] =>
    ['--challenge', CHALLENGE, '--proc-root', join(FIXTURES, 'proc'), '--sys-root', join(FIXTURES, 'sys'), '--statfs-cmd', statfs, ...more];
  const run = async (argv: string[]): Promise<Report> => {
    const ran = await runBundle(dir, argv);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    return openLine(ran.stdout.trimEnd(), keys);
  };
  const statePath = (): string => join(dir, STATE_FILE);
  const mounts = (report: Report): Array<string | undefined> =>
    report.gauges.filter((s) => s.m === 'disk_used_percent').map((s) => s.l?.['mount']);

  it('skips a mount whose helper is stuck, with every other metric, then polls it again once the helper is gone', async () => {
    const work = tempDir();
    const statfs = fakeStatfs(work, STATFS);
    const stuck = startStuck();
    onTestFinished(() => rmSync(statePath(), { force: true }));
    // The default state file: beside the key file, beside the bundle.
    writeState(statePath(), [hungEntry('/lustre', stuck)]);

    const report = await run(args(statfs));
    expect(report.errors).toEqual([{
      collector: 'filesystem',
      message: `/lustre: statfs still hung since ${SINCE} (helper pid ${stuck.pid} stuck in the kernel); not retried until it ends`,
    }]);
    expect(calls(work)).not.toContain('/lustre');
    expect(mounts(report)).toEqual(['/dev/shm', '/run', '/', '/boot', '/data/run 2024', '/home', '/tmp', '/scratch']);
    expect(valueOf(report.gauges, 'mem_percent')).toBe(75);
    expect(valueOf(report.counters, 'cpu_total_jiffies')).toBe(95100);

    await stuck.stop();
    const again = await run(args(statfs));
    expect(again.errors).toEqual([]);
    expect(calls(work).filter((m) => m === '/lustre')).toEqual(['/lustre']);
    expect(mounts(again)).toContain('/lustre');
    expect(stateOf(statePath())).toEqual({ v: 1, sections: {} });
  });

  it('records a helper that timed out in its --state file; the next run retries it once that process has ended', async () => {
    const work = tempDir();
    const statfs = fakeStatfs(work, STATFS);
    const state = join(work, 'state.json');
    writeFileSync(join(work, 'hang'), '/lustre\n');
    const first = await run(args(statfs, '--statfs-timeout-ms', '300', '--state', state));
    expect(first.errors).toEqual([{ collector: 'filesystem', message: '/lustre: statfs timed out after 300ms' }]);
    const helper = hungRecord(work, '/lustre');
    const [entry] = stateOf(state).sections['hungStatfs'] as Array<Record<string, unknown>>;
    expect(entry).toMatchObject({ mount: '/lustre', pid: helper.pid, start: helper.start });
    expect(Math.abs(Date.parse(entry!['since'] as string) - first.ts)).toBeLessThan(5000);

    await waitUntil(`helper ${helper.pid} to end`, () => endedOrZombie(helper.pid));
    rmSync(join(work, 'hang'));
    const second = await run(args(statfs, '--statfs-timeout-ms', '300', '--state', state));
    expect(second.errors).toEqual([]);
    expect(calls(work).filter((m) => m === '/lustre')).toEqual(['/lustre', '/lustre']);
    expect(stateOf(state)).toEqual({ v: 1, sections: {} });
  });

  it('kills the helpers still running when it is stopped by SIGTERM', async () => {
    // A helper cannot outlive the poll's deadline (its limit is kept within half of it), but a
    // signal can end the collector while one runs: the exit hook must still take it down.
    const work = tempDir();
    writeFileSync(join(work, 'hang'), '/lustre\n');
    const running = runBundle(dir, args(fakeStatfs(work, STATFS), '--statfs-timeout-ms', '50000', '--state', join(work, 'state.json')));
    await waitUntil('the /lustre helper to start', () => existsSync(join(work, 'hung-_lustre')));
    const helper = hungRecord(work, '/lustre');
    process.kill(parentOf(helper.pid), 'SIGTERM');
    expect((await running).code).toBe(143);
    await waitUntil(`helper ${helper.pid} to be killed`, () => endedOrZombie(helper.pid), 3000);
  });
});
