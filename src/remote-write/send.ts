import type { RemoteWriteConfig } from '../config/types.js';
import type { QueueDepth, RemoteWriteQueue } from '../store/remote-write-queue.js';
import { cutBatches, WireEncoder, type Batch, type StoredRow } from './batch.js';
import type { Poster, PostResult } from './post.js';

/** Samples in one request at most (Prometheus's own sender sends 2,000 by default). */
export const MAX_BATCH_SAMPLES = 5000;
/** Queue entries read at a time. */
const ROWS_PER_READ = 1000;
/** Tries of one request per run on 5xx, 429 or no answer; then the queue waits for the next run. */
export const MAX_TRIES = 3;
/** Wait before the second try; doubled for each one after it. */
export const FIRST_BACKOFF_MS = 1000;

/** A request refused for good (4xx but 429): what was dropped and why. */
export interface Refusal {
  readonly status: number;
  readonly body: string;
  readonly hosts: readonly string[];
  readonly samples: number;
}

/** What one run's sending did. */
export interface SendReport {
  readonly sentSamples: number;
  readonly requests: number;
  /** Bytes on the wire (compressed bodies of accepted requests) and before compression. */
  readonly wireBytes: number;
  readonly rawBytes: number;
  /** Dropped because the queue was over maxQueued (oldest first). */
  readonly trimmed: QueueDepth;
  /** Dropped because the rows were no longer stored (retention got there first). */
  readonly gone: QueueDepth;
  readonly refused: readonly Refusal[];
  /** Why sending stopped with entries left: the store's last failure, the budget, a signal. */
  readonly stopped: string | undefined;
  /** The store refused metrix itself (URL, credentials): an ERROR, not a passing WARN. */
  readonly misconfigured: boolean;
  readonly left: QueueDepth;
}

export interface SendOptions {
  readonly poster: Poster;
  readonly clock: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Sending stops once this much time has passed (a request never outlasts it). */
  readonly budgetMs: number;
  readonly signal?: AbortSignal;
  readonly maxBatchSamples?: number;
}

type Outcome = 'ok' | 'stop';

/**
 * Sends the queue, oldest first, until it is empty, the budget is spent, a signal comes or the
 * store fails. A request's rows leave the queue only once the store answered 2xx; a 4xx other
 * than 429 drops them for good (a request of several rows is first split in halves, so one
 * bad row costs only itself); 5xx, 429 and no answer are tried again with backoff, at most
 * MAX_TRIES times this run, then left for the next. The caller holds the run lock: no other
 * process sends meanwhile.
 */
export async function sendQueue(queue: RemoteWriteQueue, config: RemoteWriteConfig, options: SendOptions): Promise<SendReport> {
  const deadline = options.clock() + options.budgetMs;
  const encoder = new WireEncoder(config.labels);
  const trimmed = queue.trim(config.maxQueued);
  const totals = { sentSamples: 0, requests: 0, wireBytes: 0, rawBytes: 0, goneRows: 0, goneSamples: 0 };
  const refused: Refusal[] = [];
  let stopped: string | undefined;
  let misconfigured = false;

  const remaining = (): number => deadline - options.clock();
  const stop = (why: string): Outcome => {
    stopped = why;
    return 'stop';
  };

  /** One request of `batch`, tried again on failures that may pass; split on a refusal. */
  const deliver = async (batch: Batch): Promise<Outcome> => {
    const { body, raw } = encoder.encode(batch);
    for (let attempt = 1; ; attempt++) {
      if (options.signal?.aborted) return stop('stopped by a signal');
      if (remaining() <= 0) return stop('out of time for this run');
      const result = await options.poster.post(body, Math.min(config.timeoutMs, remaining()), options.signal);
      totals.requests++;
      const verdict = judge(result);
      if (verdict === 'accepted') {
        queue.remove(ids(batch), 'remote_write_sent', batch.samples);
        totals.sentSamples += batch.samples;
        totals.wireBytes += body.length;
        totals.rawBytes += raw;
        return 'ok';
      }
      if (verdict === 'refused') {
        if (batch.rows.length > 1) {
          const half = Math.ceil(batch.rows.length / 2);
          if ((await deliver(part(batch.rows.slice(0, half)))) === 'stop') return 'stop';
          return deliver(part(batch.rows.slice(half)));
        }
        const answered = result as Extract<PostResult, { kind: 'answered' }>;
        queue.remove(ids(batch), 'remote_write_dropped', batch.samples);
        refused.push({ status: answered.status, body: answered.body, hosts: batch.rows.map((row) => row.host), samples: batch.samples });
        return 'ok';
      }
      const why = result.kind === 'answered' ? `HTTP ${result.status}${result.body ? `: ${result.body}` : ''}` : result.reason;
      misconfigured = verdict === 'misconfigured';
      if (misconfigured) return stop(`${why} (check the url and the credentials in <remoteWrite>)`);
      // A store that lets a request time out is not asked again at once: the run would wait for it.
      if (attempt >= MAX_TRIES || (result.kind === 'failed' && result.timedOut)) return stop(why);
      const wait = Math.max(result.kind === 'answered' ? (result.retryAfterMs ?? 0) : 0, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
      if (wait >= remaining()) return stop(why);
      await options.sleep(wait);
    }
  };

  try {
    for (;;) {
      const entries = queue.oldest(ROWS_PER_READ);
      if (entries.length === 0) break;
      const stored: StoredRow[] = [];
      const gone: number[] = [];
      let goneSamples = 0;
      for (const entry of entries) {
        if (entry.samples === undefined) {
          gone.push(entry.id);
          goneSamples += entry.count;
        } else {
          stored.push(entry as StoredRow);
        }
      }
      if (gone.length > 0) {
        queue.remove(gone, 'remote_write_dropped', goneSamples);
        totals.goneRows += gone.length;
        totals.goneSamples += goneSamples;
      }
      let outcome: Outcome = 'ok';
      for (const batch of cutBatches(stored, options.maxBatchSamples ?? MAX_BATCH_SAMPLES)) {
        outcome = await deliver(batch);
        if (outcome === 'stop') break;
      }
      if (outcome === 'stop') break;
    }
  } finally {
    options.poster.close();
  }
  return {
    sentSamples: totals.sentSamples,
    requests: totals.requests,
    wireBytes: totals.wireBytes,
    rawBytes: totals.rawBytes,
    trimmed,
    gone: { rows: totals.goneRows, samples: totals.goneSamples },
    refused,
    stopped,
    misconfigured,
    left: queue.depth(),
  };
}

/**
 * Statuses that refuse the sender, not the data: a wrong URL or credentials. Dropping the queue
 * for a typo in a token would lose what the queue exists to keep; sending stops for this run
 * instead (the store is not asked again before the next run) and the cap bounds the wait.
 */
const REFUSES_US = new Set([401, 403, 404, 405, 407]);

/** The spec's rules: 2xx accepted; 5xx and 429 (and no answer) may pass; any other status refuses the data for good. */
function judge(result: PostResult): 'accepted' | 'refused' | 'retry' | 'misconfigured' {
  if (result.kind === 'failed') return 'retry';
  if (result.status >= 200 && result.status < 300) return 'accepted';
  if (result.status === 429 || result.status >= 500) return 'retry';
  if (REFUSES_US.has(result.status)) return 'misconfigured';
  return 'refused';
}

const ids = (batch: Batch): number[] => batch.rows.map((row) => row.id);
const part = (rows: readonly StoredRow[]): Batch => ({ rows, samples: rows.reduce((sum, row) => sum + row.samples.length, 0) });
