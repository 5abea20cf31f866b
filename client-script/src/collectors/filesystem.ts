import type { CollectorError, Sample } from '../protocol.js';
import { formatSince, loadHungHelpers, planHungHelpers, saveHungHelpers, stillHungMessage, type HungHelper } from '../hung-statfs.js';
import { runCommand } from '../run-command.js';
import { percent, readings, sample, toCount, type CollectContext, type Collector } from './collector.js';
import { loadMounts, selectMounts } from './mounts.js';

/** The statfs(2) fields the default helper prints with `stat -f -c '%S %b %f %a %c %d'`. */
export interface Statfs {
  /** Fragment size: the unit of the block counts. */
  readonly fragmentSize: number;
  readonly blocks: number;
  readonly freeBlocks: number;
  /** Free blocks that non-root users may use (free minus the root reserve). */
  readonly availableBlocks: number;
  readonly inodes: number;
  readonly freeInodes: number;
}

const STATFS_FORMAT = '%S %b %f %a %c %d';
export const DEFAULT_STATFS_COMMAND: readonly string[] = ['stat', '-f', '-c', STATFS_FORMAT, '--'];

export function parseStatfs(text: string): Statfs {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 6) throw new Error(`expected 6 numbers from statfs, got ${JSON.stringify(text.trim())}`);
  const [fragmentSize, blocks, freeBlocks, availableBlocks, inodes, freeInodes] = fields.map((f) => toCount(f, 'statfs field'));
  return {
    fragmentSize: fragmentSize!,
    blocks: blocks!,
    freeBlocks: freeBlocks!,
    availableBlocks: availableBlocks!,
    inodes: inodes!,
    freeInodes: freeInodes!,
  };
}

/**
 * The command that asks many mounts at once, or undefined when `command` answers for one
 * mount only (a --statfs-cmd helper). The default `stat -f`, wherever it is found, takes
 * them all and, told to, ends each line with the name it was given.
 */
export function batchCommand(command: readonly string[]): string[] | undefined {
  const [program, ...args] = command;
  if (program === undefined || args.join('\0') !== DEFAULT_STATFS_COMMAND.slice(1).join('\0')) return undefined;
  return [program, '-f', '-c', `${STATFS_FORMAT} %n`, '--'];
}

// Six numbers, then the name as given, which may hold spaces (but not a newline: see planBatches).
const NAMED_LINE = /^(\d+ \d+ \d+ \d+ \d+ \d+) ([\s\S]*)$/;

/**
 * The answers in a batch's output for the mounts asked, by mount. Only whole lines count (a
 * timed-out batch may have printed part of one). A line that is not six numbers and the name
 * of a mount asked is passed over, as is a second line for one: that mount is asked on its own.
 */
export function parseNamedStatfs(text: string, asked: readonly string[]): Map<string, Statfs> {
  const wanted = new Set(asked);
  const found = new Map<string, Statfs>();
  const lines = text.split('\n');
  lines.pop();
  for (const line of lines) {
    const match = NAMED_LINE.exec(line);
    if (match === null || !wanted.has(match[2]!) || found.has(match[2]!)) continue;
    found.set(match[2]!, parseStatfs(match[1]!));
  }
  return found;
}

/** Far below the smallest ARG_MAX (128 KiB before Linux 2.6.23), with room for the environment. */
export const MAX_BATCH_BYTES = 32 * 1024;

/**
 * Groups mounts into batches of at least two, each within MAX_BATCH_BYTES of names; the rest
 * (a lone mount, a name with a newline, which stat's lines could not tell apart) go alone.
 */
export function planBatches(mounts: readonly string[]): { batches: string[][]; alone: string[] } {
  const batches: string[][] = [];
  const alone: string[] = [];
  let batch: string[] = [];
  let bytes = 0;
  const close = (): void => {
    if (batch.length === 1) alone.push(batch[0]!);
    else if (batch.length > 1) batches.push(batch);
    batch = [];
    bytes = 0;
  };
  for (const mount of mounts) {
    const size = Buffer.byteLength(mount) + 1;
    if (mount.indexOf('\n') >= 0 || size > MAX_BATCH_BYTES) {
      alone.push(mount);
      continue;
    }
    if (bytes + size > MAX_BATCH_BYTES) close();
    batch.push(mount);
    bytes += size;
  }
  close();
  return { batches, alone };
}

/** Used space as df shows it: a share of what non-root users could have, so the root reserve counts as full. */
export function filesystemGauges(mountPoint: string, fs: Statfs): Sample[] {
  const labels = { mount: mountPoint };
  const used = fs.blocks - fs.freeBlocks;
  const gauges: Sample[] = [];
  if (used + fs.availableBlocks > 0) gauges.push(sample('disk_used_percent', percent(used, used + fs.availableBlocks), labels));
  gauges.push(sample('disk_free_bytes', fs.availableBlocks * fs.fragmentSize, labels));
  // Some filesystems (btrfs, many FUSE ones) have no fixed inode table and report zero.
  if (fs.inodes > 0) gauges.push(sample('inodes_used_percent', percent(fs.inodes - fs.freeInodes, fs.inodes), labels));
  return gauges;
}

type MountOutcome =
  | { readonly gauges: Sample[] }
  | { readonly error: CollectorError; readonly hung?: HungHelper };

/**
 * statfs runs in a child process because on a hung NFS, Lustre or GPFS mount the call never
 * returns and cannot be interrupted; a child can be given up on, this process could not.
 */
async function statMount(mountPoint: string, ctx: CollectContext, since: string): Promise<MountOutcome> {
  const fail = (why: string): MountOutcome => ({ error: { collector: 'filesystem', message: `${mountPoint}: ${why}` } });
  const result = await runCommand(ctx.statfsCommand.concat([mountPoint]), ctx.statfsTimeoutMs);
  if (!result.ok) {
    if (!result.timedOut) return fail(`statfs failed: ${result.message}`);
    const left = result.abandoned;
    const error = fail(`statfs timed out after ${ctx.statfsTimeoutMs}ms`);
    return left === undefined ? error : { ...error, hung: { mount: mountPoint, pid: left.pid, startTime: left.startTime, since } };
  }
  try {
    return { gauges: filesystemGauges(mountPoint, parseStatfs(result.stdout)) };
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
}

/**
 * One `stat -f` for many mounts: a process start costs more than the statfs calls it makes.
 * Only the mounts it answered are returned; each of the others then gets a helper of its own
 * (statMount), which words its error and, if it hangs, is the one remembered as stuck. A batch
 * stuck on a hung mount tells nothing (stat's output to a pipe waits in its buffer), so it gets
 * half the limit: with the full limit for the helpers after it, a mount is still given the whole
 * limit and a poll spends at most 1.5 times it on statfs. A batch given up on is killed like any
 * helper; mounts known to be hung are never in one, so it cannot stick on them poll after poll.
 */
async function statBatches(mounts: readonly string[], ctx: CollectContext): Promise<Map<string, Statfs>> {
  const answered = new Map<string, Statfs>();
  const command = batchCommand(ctx.statfsCommand);
  if (command === undefined) return answered;
  const { batches } = planBatches(mounts);
  const limitMs = Math.max(1, Math.floor(ctx.statfsTimeoutMs / 2));
  const results = await Promise.all(batches.map((batch) => runCommand(command.concat(batch), limitMs)));
  results.forEach((result, i) => parseNamedStatfs(result.stdout, batches[i]!).forEach((fs, mount) => answered.set(mount, fs)));
  return answered;
}

/**
 * A mount whose last helper is still stuck gets no new one (see hung-statfs.ts); it is
 * reported as still hung until that helper ends. `now` dates a helper that times out.
 */
export function createFilesystemCollector(now: () => number = Date.now): Collector {
  return {
    name: 'filesystem',
    readsCounters: false,
    async collect(ctx) {
      const table = selectMounts(loadMounts(ctx.procRoot));
      const mounts = table.map((m) => m.mountPoint);
      const since = formatSince(now());
      const stuck = loadHungHelpers(ctx.statePath);
      const answered = await statBatches(mounts.filter((m) => !stuck.has(m)), ctx);
      const outcomes = await Promise.all(mounts.map((mount): Promise<MountOutcome> => {
        const helper = stuck.get(mount);
        if (helper !== undefined) return Promise.resolve({ error: { collector: 'filesystem', message: stillHungMessage(helper) }, hung: helper });
        const fs = answered.get(mount);
        return fs === undefined ? statMount(mount, ctx, since) : Promise.resolve({ gauges: filesystemGauges(mount, fs) });
      }));
      const gauges: Sample[] = [];
      const errors: CollectorError[] = [];
      const hung: HungHelper[] = [];
      outcomes.forEach((outcome, i) => {
        if ('gauges' in outcome) gauges.push(...outcome.gauges);
        else {
          errors.push(outcome.error);
          if (outcome.hung !== undefined) hung.push(outcome.hung);
        }
        // From the mount table, so a mount that does not answer statfs still shows it.
        gauges.push(sample('fs_readonly', table[i]!.readOnly ? 1 : 0, { mount: mounts[i]! }));
      });
      const plan = planHungHelpers(mounts, hung);
      const problem = saveHungHelpers(ctx.statePath, plan);
      if (problem !== undefined) errors.push({ collector: 'filesystem', message: problem });
      return readings(gauges, [], errors);
    },
  };
}

export const filesystemCollector: Collector = createFilesystemCollector();
