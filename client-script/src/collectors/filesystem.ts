import type { CollectorError, Sample } from '../protocol.js';
import { formatSince, loadHungHelpers, planHungHelpers, saveHungHelpers, stillHungMessage, type HungHelper } from '../hung-statfs.js';
import { runCommand } from '../run-command.js';
import { percent, readings, sample, toCount, type CollectContext, type Collector } from './collector.js';
import { parseMounts, readMounts, selectMounts, type Mount } from './mounts.js';

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

export const DEFAULT_STATFS_COMMAND: readonly string[] = ['stat', '-f', '-c', '%S %b %f %a %c %d', '--'];

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
async function statMount(mount: Mount, ctx: CollectContext, since: string): Promise<MountOutcome> {
  const fail = (why: string): MountOutcome => ({ error: { collector: 'filesystem', message: `${mount.mountPoint}: ${why}` } });
  const result = await runCommand(ctx.statfsCommand.concat([mount.mountPoint]), ctx.statfsTimeoutMs);
  if (!result.ok) {
    if (!result.timedOut) return fail(`statfs failed: ${result.message}`);
    const left = result.abandoned;
    const error = fail(`statfs timed out after ${ctx.statfsTimeoutMs}ms`);
    return left === undefined ? error : { ...error, hung: { mount: mount.mountPoint, pid: left.pid, startTime: left.startTime, since } };
  }
  try {
    return { gauges: filesystemGauges(mount.mountPoint, parseStatfs(result.stdout)) };
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
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
      const mounts = selectMounts(parseMounts(readMounts(ctx.procRoot)));
      const since = formatSince(now());
      const stuck = loadHungHelpers(ctx.statePath);
      const outcomes = await Promise.all(mounts.map((mount): Promise<MountOutcome> => {
        const helper = stuck.get(mount.mountPoint);
        if (helper === undefined) return statMount(mount, ctx, since);
        return Promise.resolve({ error: { collector: 'filesystem', message: stillHungMessage(helper) }, hung: helper });
      }));
      const gauges: Sample[] = [];
      const errors: CollectorError[] = [];
      const hung: HungHelper[] = [];
      for (const outcome of outcomes) {
        if ('gauges' in outcome) gauges.push(...outcome.gauges);
        else {
          errors.push(outcome.error);
          if (outcome.hung !== undefined) hung.push(outcome.hung);
        }
      }
      const plan = planHungHelpers(mounts.map((m) => m.mountPoint), hung);
      const problem = saveHungHelpers(ctx.statePath, plan);
      if (problem !== undefined) errors.push({ collector: 'filesystem', message: problem });
      return readings(gauges, [], errors);
    },
  };
}

export const filesystemCollector: Collector = createFilesystemCollector();
