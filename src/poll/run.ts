import pLimit from 'p-limit';
import type { Host } from '../config/types.js';
import type { PollRecord, RunRecord } from './records.js';
import { pollHost, type PollContext } from './poll-host.js';

export interface RunOptions {
  readonly concurrency: number;
  /** Called as each host finishes, in completion order (progress, log lines). */
  readonly onPoll?: (record: PollRecord) => void;
}

/** Polls the hosts through a pool of `concurrency`; resolves when every host has an outcome. */
export async function pollHosts(hosts: readonly Host[], ctx: PollContext, options: RunOptions): Promise<RunRecord> {
  const startedAt = ctx.clock();
  const limit = pLimit(options.concurrency);
  const polls = await Promise.all(
    hosts.map((host) =>
      limit(async () => {
        const record = await pollHost(host, ctx);
        options.onPoll?.(record);
        return record;
      }),
    ),
  );
  return { startedAt, finishedAt: ctx.clock(), polls };
}
