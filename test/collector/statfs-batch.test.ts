import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectContext } from '../../client-script/src/collectors/collector.js';
import {
  batchCommand, createFilesystemCollector, DEFAULT_STATFS_COMMAND, filesystemGauges, MAX_BATCH_BYTES, parseNamedStatfs, parseStatfs,
  planBatches, type Statfs,
} from '../../client-script/src/collectors/filesystem.js';
import { HOST_KEY_FILE, type Report, type Sample } from '../../client-script/src/protocol.js';
import { runCommand } from '../../client-script/src/run-command.js';
import { tempDir } from '../helpers/tmp.js';
import { buildIntoTempDir, FIXTURES, newKeys, openLine, runBundle, valueOf, writeKeyFile, writeScript } from './helpers.js';
import { endedOrZombie, hungEntry, parentOf, startStuck, stateOf, waitUntil, writeState } from './stuck-helpers.js';

// The default helper is `stat -f`, which takes every mount in one call. These tests run the
// real stat on real directories of this machine, listed as ext4 mounts in a fixture
// /proc/self/mounts, through a `stat` wrapper that logs each call and can play a hung mount.

/** `-f -c FORMAT --`: what follows the program in the default command. */
const STAT_ARGS = DEFAULT_STATFS_COMMAND.slice(1);

/** The stat that PATH finds for this test process: the one the wrapper hands over to. */
const REAL_STAT = (process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'stat')).find((p) => existsSync(p))!;

const statfsOf = (path: string): Statfs => parseStatfs(execFileSync(REAL_STAT, [...STAT_ARGS, path], { encoding: 'utf8' }));

const escapeMountField = (field: string): string => field.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);

/** A /proc whose mount table lists these directories as ext4 mounts, after a pseudo filesystem the collector leaves out. */
function writeMountTable(procRoot: string, paths: readonly string[]): void {
  mkdirSync(join(procRoot, 'self'), { recursive: true });
  const lines = ['cgroup2 /sys/fs/cgroup cgroup2 rw 0 0', ...paths.map((p) => `/dev/vda ${escapeMountField(p)} ext4 rw,relatime 0 0`)];
  writeFileSync(join(procRoot, 'self/mounts'), `${lines.join('\n')}\n`);
}

/**
 * A `stat` that appends the mounts of each call to `calls` as one line ("a|b|c"), then runs
 * the real stat; unless one of them is listed in `hang`: then it appends "pid mounts" to
 * `hung-pids` and blocks like a dead NFS server. Returns the directory it is in.
 */
function statWrapper(work: string): string {
  const bin = join(work, 'bin');
  mkdirSync(bin);
  writeScript(join(bin, 'stat'), [
    'mounts=0; listed=""; hang=""; after=""',
    'for a; do',
    '  if [ -n "$after" ]; then',
    '    mounts=$((mounts + 1)); listed="$listed|$a"',
    `    if [ -f '${work}/hang' ] && grep -qxF -- "$a" '${work}/hang'; then hang=1; fi`,
    '  elif [ "$a" = "--" ]; then after=1; fi',
    'done',
    `echo "\${listed#|}" >> '${work}/calls'`,
    `if [ -n "$hang" ]; then echo "$$ $mounts" >> '${work}/hung-pids'; exec sleep 60; fi`,
    `exec '${REAL_STAT}' "$@"`,
  ].join('\n'));
  return bin;
}

/** Each call of the wrapper, as the list of mounts it was given. */
const calls = (work: string): string[][] => {
  if (!existsSync(join(work, 'calls'))) return [];
  return readFileSync(join(work, 'calls'), 'utf8').split('\n').slice(0, -1).map((line) => line.split('|'));
};
/** The helpers that blocked, and how many mounts each was given. */
const hungPids = (work: string): Array<{ pid: number; mounts: number }> => {
  if (!existsSync(join(work, 'hung-pids'))) return [];
  return readFileSync(join(work, 'hung-pids'), 'utf8').trim().split('\n').map((line) => {
    const [pid, mounts] = line.split(' ').map(Number);
    return { pid: pid!, mounts: mounts! };
  });
};
const sorted = (lists: string[][]): string[][] => lists.map((l) => l.slice().sort()).sort();

/**
 * Polls until the filesystem held still around one poll (other tests write to this disk too),
 * then expects each path's samples to be what `stat -f` says of it. Returns the polls made.
 */
async function expectFiguresOfStat(poll: () => Promise<readonly Sample[]>, paths: readonly string[]): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const before = paths.map(statfsOf);
    const gauges = await poll();
    const after = paths.map(statfsOf);
    if (JSON.stringify(before) !== JSON.stringify(after) && attempt < 20) continue;
    // On a disk that never held still (a busy CI), the same series within 1% of what stat -f says.
    paths.forEach((path, i) => {
      // fs_readonly comes from the mount table, not from stat -f.
      const got = gauges.filter((s) => s.l?.['mount'] === path && s.m !== 'fs_readonly');
      const want = filesystemGauges(path, after[i]!);
      expect(got.map((s) => s.m), path).toEqual(want.map((s) => s.m));
      got.forEach((sample, k) => expect(Math.abs(sample.v - want[k]!.v), `${path} ${sample.m}`).toBeLessThanOrEqual(Math.max(1, Math.abs(want[k]!.v) / 100)));
    });
    return attempt;
  }
}

const mountsReported = (gauges: readonly Sample[]): string[] => gauges.filter((s) => s.m === 'disk_free_bytes').map((s) => s.l!['mount']!);

describe('asking many mounts in one stat', () => {
  it.each([
    ['the default', DEFAULT_STATFS_COMMAND, ['stat', '-f', '-c', '%S %b %f %a %c %d %n', '--']],
    ['stat at a path of its own', ['/opt/bin/stat', ...STAT_ARGS], ['/opt/bin/stat', '-f', '-c', '%S %b %f %a %c %d %n', '--']],
    ['a --statfs-cmd helper', ['/usr/local/bin/my-statfs'], undefined],
    ['stat with another format', ['stat', '-f', '-c', '%b %S', '--'], undefined],
    ['stat without "--"', ['stat', '-f', '-c', '%S %b %f %a %c %d'], undefined],
  ])('batches %s', (_name, command, expected) => {
    expect(batchCommand(command)).toEqual(expected);
  });

  const fs = (n: number): Statfs => ({ fragmentSize: 4096, blocks: n, freeBlocks: 5, availableBlocks: 4, inodes: 100, freeInodes: 50 });
  it.each([
    ['one line per mount', '4096 1 5 4 100 50 /\n4096 2 5 4 100 50 /home\n', ['/', '/home'], [['/', 1], ['/home', 2]]],
    ['names with spaces and a tab', '4096 1 5 4 100 50 /data/run 2024\n4096 2 5 4 100 50 /a\tb \n', ['/data/run 2024', '/a\tb '], [['/data/run 2024', 1], ['/a\tb ', 2]]],
    ['a mount stat could not read (its error went to stderr)', '4096 1 5 4 100 50 /\n', ['/', '/gone'], [['/', 1]]],
    ['a last line cut short by a time limit', '4096 1 5 4 100 50 /\n4096 2 5 4 100 50 /ho', ['/', '/home'], [['/', 1]]],
    ['a name not asked', '4096 1 5 4 100 50 /other\n', ['/'], []],
    ['a line that is not six numbers', '4096 ? 5 4 100 50 /\n4096 1 5 4 100 /home\n', ['/', '/home'], []],
    ['a mount printed twice: the first counts', '4096 1 5 4 100 50 /\n4096 2 5 4 100 50 /\n', ['/'], [['/', 1]]],
    ['nothing', '', ['/'], []],
  ])('reads %s', (_name, text, asked, expected) => {
    expect([...parseNamedStatfs(text, asked)]).toEqual(expected.map(([mount, blocks]) => [mount, fs(blocks as number)]));
  });

  it.each([
    ['several mounts: one batch', ['/', '/home', '/data'], { batches: [['/', '/home', '/data']], alone: [] }],
    ['one mount: alone, as a batch would only halve its limit', ['/'], { batches: [], alone: ['/'] }],
    ['a name with a newline: alone', ['/', '/a\nb', '/home'], { batches: [['/', '/home']], alone: ['/a\nb'] }],
    ['none', [], { batches: [], alone: [] }],
  ])('plans %s', (_name, mounts, expected) => {
    expect(planBatches(mounts)).toEqual(expected);
  });

  it('keeps each batch within MAX_BATCH_BYTES of names, and puts a name longer than that alone', () => {
    const name = (i: number): string => `/m${i}/${'x'.repeat(1000)}`;
    const mounts = Array.from({ length: 80 }, (_, i) => name(i));
    const huge = `/${'y'.repeat(MAX_BATCH_BYTES)}`;
    const { batches, alone } = planBatches([...mounts, huge]);
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) expect(batch.reduce((n, m) => n + Buffer.byteLength(m) + 1, 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(([] as string[]).concat(...batches, alone)).toEqual([...mounts, huge]);
    expect(alone).toEqual([huge]);
  });
});

describe('a helper that fails', () => {
  it('hands back what it printed before it exited with an error', async () => {
    const result = await runCommand(['sh', '-c', 'echo "4096 1 5 4 100 50 /"; echo "no /gone" >&2; exit 1'], 5000);
    expect(result).toEqual({ ok: false, timedOut: false, message: 'exited with code 1: no /gone', stdout: '4096 1 5 4 100 50 /\n' });
  });

  it('hands back what it printed before its time limit', async () => {
    const result = await runCommand(['sh', '-c', 'echo "4096 1 5 4 100 50 /"; printf "4096 2"; exec sleep 60'], 300);
    expect(result).toMatchObject({ ok: false, timedOut: true, message: 'timed out after 300ms', stdout: '4096 1 5 4 100 50 /\n4096 2' });
    if (!result.ok && result.abandoned !== undefined) {
      const { pid } = result.abandoned;
      await waitUntil(`helper ${pid} to be killed`, () => endedOrZombie(pid), 3000);
    }
  });
});

describe('the filesystem collector with the default stat, in one process', () => {
  // The wrapper is given by path: the default command's program, found on PATH, is the
  // bundle's test below, and this process's PATH is not changed under other tests.
  function setup(names: readonly string[], timeoutMs = 2000): { work: string; ctx: CollectContext; paths: string[] } {
    const work = tempDir();
    const paths = names.map((name) => join(work, 'mnt', name));
    for (const path of paths) if (!path.endsWith('missing')) mkdirSync(path, { recursive: true });
    writeMountTable(join(work, 'proc'), paths);
    const ctx: CollectContext = {
      procRoot: join(work, 'proc'), sysRoot: join(work, 'sys'), statfsCommand: [join(statWrapper(work), 'stat'), ...STAT_ARGS],
      statfsTimeoutMs: timeoutMs, searchPath: '', statePath: join(work, 'state.json'),
    };
    return { work, ctx, paths };
  }

  it('asks every mount in one stat per poll, names with spaces and tabs too, and reports what stat -f says of each', async () => {
    const { work, ctx, paths } = setup(['plain', 'run 2024', 'tab\there']);
    const collector = createFilesystemCollector();
    const errors: string[] = [];
    const polls = await expectFiguresOfStat(async () => {
      const result = await collector.collect(ctx);
      errors.push(...result.errors.map((e) => e.message));
      return result.gauges;
    }, paths);
    expect(errors).toEqual([]);
    expect(calls(work)).toEqual(Array.from({ length: polls }, () => paths));
  });

  it('asks a mount missing from the batch\'s answer on its own, for its own error', async () => {
    const { work, ctx, paths } = setup(['plain', 'missing', 'run 2024']);
    const [plain, missing, spaced] = paths as [string, string, string];
    const result = await createFilesystemCollector().collect(ctx);
    // The wrapper execs the real stat by path, so that is the name stat gives itself.
    const said = `${REAL_STAT}: cannot read file system information for '${missing}': No such file or directory`;
    expect(result.errors).toEqual([{ collector: 'filesystem', message: `${missing}: statfs failed: exited with code 1: ${said}` }]);
    expect(mountsReported(result.gauges)).toEqual([plain, spaced]);
    expect(calls(work)).toEqual([paths, [missing]]);
  });

  it('finds a hung mount with a helper per mount after the batch\'s half limit, within 1.5 limits, and remembers only that helper', async () => {
    const { work, ctx, paths } = setup(['plain', 'hung', 'run 2024'], 1000);
    const [plain, hung, spaced] = paths as [string, string, string];
    writeFileSync(join(work, 'hang'), `${hung}\n`);
    const started = Date.now();
    const result = await createFilesystemCollector().collect(ctx);
    const took = Date.now() - started;
    expect(result.errors).toEqual([{ collector: 'filesystem', message: `${hung}: statfs timed out after 1000ms` }]);
    expect(mountsReported(result.gauges)).toEqual([plain, spaced]);
    // The batch told nothing, so every mount got its own helper.
    expect(sorted(calls(work))).toEqual(sorted([paths, [plain], [hung], [spaced]]));
    // Half the limit for the batch, then the full limit for the hung mount's own helper.
    expect(took).toBeGreaterThanOrEqual(1500);
    expect(took).toBeLessThan(2000);
    const [batch, own] = hungPids(work).sort((a, b) => b.mounts - a.mounts);
    expect([batch?.mounts, own?.mounts]).toEqual([3, 1]);
    expect(stateOf(ctx.statePath).sections['hungStatfs']).toEqual([expect.objectContaining({ mount: hung, pid: own!.pid })]);
    // Both were killable (scripts): the batch given up on is not left running.
    await waitUntil(`batch ${batch!.pid} to be killed`, () => endedOrZombie(batch!.pid), 3000);
    await waitUntil(`helper ${own!.pid} to be killed`, () => endedOrZombie(own!.pid), 3000);
  });

  it('leaves a mount known to be hung out of the batch: one helper per poll for the others, all of them again once it is gone', async () => {
    const { work, ctx, paths } = setup(['plain', 'hung', 'run 2024']);
    const [plain, hung, spaced] = paths as [string, string, string];
    const stuck = startStuck();
    writeState(ctx.statePath, [hungEntry(hung, stuck)]);
    const collector = createFilesystemCollector();
    for (const poll of [1, 2]) {
      const result = await collector.collect(ctx);
      expect(result.errors.map((e) => e.message), `poll ${poll}`).toEqual([expect.stringMatching(/statfs still hung since/)]);
      expect(mountsReported(result.gauges)).toEqual([plain, spaced]);
    }
    expect(calls(work)).toEqual([[plain, spaced], [plain, spaced]]);

    await stuck.stop();
    const after = await collector.collect(ctx);
    expect(after.errors).toEqual([]);
    expect(mountsReported(after.gauges)).toEqual(paths);
    expect(calls(work).slice(2)).toEqual([paths]);
  });
});

describe('the bundled collector with the default stat, found on PATH', () => {
  const HOST = 'f4-test';
  const CHALLENGE = 'q0lZ8r3Nf1mXJc2k9vT7yA==';
  const keys = newKeys();
  let dir = '';
  beforeAll(() => {
    dir = buildIntoTempDir();
    writeKeyFile(join(dir, HOST_KEY_FILE), HOST, keys);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The fixture /proc, but with these real directories as its mounts; the wrapper first in PATH. */
  function setup(names: readonly string[]): { work: string; paths: string[]; args: string[]; env: NodeJS.ProcessEnv } {
    const work = tempDir();
    const paths = names.map((name) => join(work, 'mnt', name));
    for (const path of paths) mkdirSync(path, { recursive: true });
    cpSync(join(FIXTURES, 'proc'), join(work, 'proc'), { recursive: true });
    writeMountTable(join(work, 'proc'), paths);
    const args = ['--challenge', CHALLENGE, '--proc-root', join(work, 'proc'), '--sys-root', join(FIXTURES, 'sys'), '--state', join(work, 'state.json')];
    return { work, paths, args, env: { ...process.env, PATH: `${statWrapper(work)}${delimiter}${process.env.PATH ?? ''}` } };
  }
  const run = async (args: string[], env: NodeJS.ProcessEnv): Promise<Report> => {
    const ran = await runBundle(dir, args, env);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    return openLine(ran.stdout.trimEnd(), keys);
  };

  it('starts one stat per poll for all the mounts, and reports what stat -f says of each', async () => {
    const { work, paths, args, env } = setup(['a', 'run 2024', 'c']);
    let report: Report | undefined;
    const polls = await expectFiguresOfStat(async () => (report = await run(args, env)).gauges, paths);
    expect(report!.errors).toEqual([]);
    expect(calls(work)).toEqual(Array.from({ length: polls }, () => paths));
  });

  it('reports a hung mount as timed out with every other metric, and kills the helpers it gave up on', async () => {
    const { work, paths, args, env } = setup(['a', 'hung', 'c']);
    const [a, hung, c] = paths as [string, string, string];
    writeFileSync(join(work, 'hang'), `${hung}\n`);
    const report = await run([...args, '--statfs-timeout-ms', '600'], env);
    expect(report.errors).toEqual([{ collector: 'filesystem', message: `${hung}: statfs timed out after 600ms` }]);
    expect(mountsReported(report.gauges)).toEqual([a, c]);
    expect(valueOf(report.gauges, 'mem_percent')).toBe(75);
    const helpers = hungPids(work);
    expect(helpers.map((h) => h.mounts).sort()).toEqual([1, 3]);
    for (const { pid } of helpers) await waitUntil(`helper ${pid} to be killed`, () => endedOrZombie(pid), 3000);
    const own = helpers.find((h) => h.mounts === 1)!;
    expect(stateOf(join(work, 'state.json')).sections['hungStatfs']).toEqual([expect.objectContaining({ mount: hung, pid: own.pid })]);
  });

  it('kills a batch still running when it is stopped by SIGTERM', async () => {
    const { work, paths, args, env } = setup(['a', 'hung', 'c']);
    writeFileSync(join(work, 'hang'), `${paths[1]}\n`);
    const running = runBundle(dir, [...args, '--statfs-timeout-ms', '50000'], env);
    await waitUntil('the batch to start', () => hungPids(work).length === 1);
    const [batch] = hungPids(work);
    expect(batch!.mounts).toBe(3);
    process.kill(parentOf(batch!.pid), 'SIGTERM');
    expect((await running).code).toBe(143);
    await waitUntil(`batch ${batch!.pid} to be killed`, () => endedOrZombie(batch!.pid), 3000);
  });
});
