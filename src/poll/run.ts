import pLimit from 'p-limit';
import type { Host } from '../config/types.js';
import { pollHost, type PollContext } from './poll-host.js';
import type { PollRecord, RunRecord } from './records.js';

/** How long hosts already being polled may take to finish once a run is told to stop. */
export const STOP_GRACE_MS = 5000;

export interface RunOptions {
  readonly concurrency: number;
  /** Called as each host finishes, in completion order (progress, log lines). */
  readonly onPoll?: (record: PollRecord) => void;
  /** Aborted when the run must stop (SIGTERM, SIGINT): no new host starts. */
  readonly stop?: AbortSignal;
  /** Waits `ms` on the run's clock; the grace after a stop is timed with it. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Polls the hosts through a pool of `concurrency`; resolves when every host has an outcome,
 * never rejects because of one host. After `stop` no host starts, and hosts still in flight
 * when the grace ends are left out of the record: the run claims only what came back.
 */
export async function pollHosts(hosts: readonly Host[], ctx: PollContext, options: RunOptions): Promise<RunRecord> {
  const startedAt = ctx.clock();
  const limit = pLimit(options.concurrency);
  const grace = stopGrace(options);
  const graceOver = grace.over;
  const pollOne = async (host: Host): Promise<PollRecord | undefined> => {
    if (options.stop?.aborted) return undefined;
    const transport = ctx.transportOf(host);
    const record = await Promise.race([pollHost(host, ctx), graceOver]);
    void transport.release(host);
    if (record) options.onPoll?.(record);
    return record;
  };
  const results = await Promise.all(hosts.map((host) => limit(() => pollOne(host)))).finally(grace.dispose);
  const polls = results.filter((record): record is PollRecord => record !== undefined);
  const notPolled = hosts.filter((_, index) => results[index] === undefined).map((host) => host.name);
  return { startedAt, finishedAt: ctx.clock(), polls, ...(options.stop?.aborted ? { stopped: { notPolled } } : {}) };
}

/**
 * `over` resolves (to undefined) when the grace after a stop has run out; never if no stop
 * comes. `dispose` stops listening: one stop signal serves every cycle of metrix run.
 */
function stopGrace(options: RunOptions): { over: Promise<undefined>; dispose: () => void } {
  const { stop } = options;
  let startGrace = (): void => undefined;
  const over = new Promise<undefined>((resolve) => {
    startGrace = (): void => {
      const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms).unref()));
      void sleep(STOP_GRACE_MS).then(() => resolve(undefined));
    };
  });
  if (stop?.aborted) startGrace();
  else stop?.addEventListener('abort', startGrace, { once: true });
  return { over, dispose: () => stop?.removeEventListener('abort', startGrace) };
}
