import type { Sample } from '../../client-script/src/protocol.js';
import type { CheckText, LogLines } from '../checks/validate-watched.js';
import type { FailureReason } from '../result.js';

/** What one host's poll leaves behind; stored as one unit of a run. */
export interface PollRecord {
  readonly host: string;
  /** Poller clock, ms, when the poll ended: the timestamp of every sample in it. */
  readonly ts: number;
  /**
   * Poller clock when the host read its counters, mapped from the host's own elapsed time
   * (metrics/counter-time.ts); counter samples are stored at this time, so the next poll's
   * rates span the interval between counter readings. Absent: `ts`.
   */
  readonly countersTs?: number;
  readonly durationMs: number;
  readonly failure: { readonly reason: FailureReason; readonly message: string } | undefined;
  readonly collector: string | undefined;
  readonly samples: readonly Sample[];
  /** Collectors that failed on an otherwise good poll, e.g. "filesystem: /nfs: statfs timed out". */
  readonly warnings?: readonly string[];
  /** What the host's checks said (first lines), and what its logs matched, beside their series. */
  readonly checks?: readonly CheckText[];
  readonly logs?: readonly LogLines[];
}

export interface RunRecord {
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly polls: readonly PollRecord[];
  /** Set when the run was told to stop: the hosts it never started or gave up waiting for. */
  readonly stopped?: { readonly notPolled: readonly string[] };
}
