import type { Host } from '../config/types.js';
import type { Outcome } from '../result.js';

export interface ExecRequest {
  /** Arguments for the collector script, after its path. */
  readonly args: readonly string[];
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the collector on a host. Implementations never throw for a host's own failure:
 * they return it as a Failure so one host never stops a run.
 */
export interface Transport {
  exec(host: Host, request: ExecRequest): Promise<Outcome<ExecResult>>;
  /** The run is done with this host: its connection (and a jump host's, after its last target) can go. Never rejects. */
  release(host: Host): Promise<void>;
  /** Releases connections; the run calls it once at the end. */
  close(): Promise<void>;
}
