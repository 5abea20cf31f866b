import type { Host } from '../config/types.js';
import { runChild } from './child-process.js';
import type { Outcome } from '../result.js';
import type { ExecRequest, ExecResult, Transport } from './transport.js';

/**
 * Polls the machine metrix runs on: the collector runs as a child process of the same
 * Node binary, with the host's key file from the keys directory. No SSH involved.
 */
export class LocalTransport implements Transport {
  constructor(
    private readonly collectorPath: string,
    private readonly keyPathOf: (host: string) => string,
  ) {}

  exec(host: Host, request: ExecRequest): Promise<Outcome<ExecResult>> {
    const args = [this.collectorPath, '--key', this.keyPathOf(host.name), ...request.args];
    return runChild(process.execPath, args, request);
  }

  async release(): Promise<void> {}

  async close(): Promise<void> {}
}
