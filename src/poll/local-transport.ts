import type { Host } from '../config/types.js';
import { runChild } from './child-process.js';
import type { Outcome } from '../result.js';
import type { ExecRequest, ExecResult, Transport } from './transport.js';

/**
 * Polls the machine metrix runs on: the collector runs as a child process of the same
 * Node binary, with the host's key file from the keys directory. No SSH involved.
 */
export class LocalTransport implements Transport {
  // One per host being polled: releasing the host (or closing) kills a collector still running.
  readonly #running = new Map<string, AbortController>();

  constructor(
    private readonly collectorPath: string,
    private readonly keyPathOf: (host: string) => string,
  ) {}

  exec(host: Host, request: ExecRequest): Promise<Outcome<ExecResult>> {
    const args = [this.collectorPath, '--key', this.keyPathOf(host.name), ...request.args];
    const running = new AbortController();
    this.#running.set(host.name, running);
    return runChild(process.execPath, args, { ...request, signal: running.signal }).finally(() => {
      if (this.#running.get(host.name) === running) this.#running.delete(host.name);
    });
  }

  async release(host: Host): Promise<void> {
    this.#running.get(host.name)?.abort();
  }

  async close(): Promise<void> {
    for (const running of this.#running.values()) running.abort();
    this.#running.clear();
  }
}
