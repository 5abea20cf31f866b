import { spawn } from 'node:child_process';
import { fail, ok, type Outcome } from '../result.js';
import type { ExecResult } from './transport.js';

const STDERR_TAIL = 2048;

export interface ChildLimits {
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  /** Aborting it kills the child at once (the run is stopping). */
  readonly signal?: AbortSignal;
  /** Written to the child's stdin, which is then closed (at once without it). */
  readonly stdin?: string;
}

/**
 * Runs a program with a time limit and a cap on stdout, the way the SSH transport runs the
 * collector remotely. The promise always settles; the child is killed on any limit.
 */
export function runChild(command: string, args: readonly string[], limits: ChildLimits): Promise<Outcome<ExecResult>> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    // A child that exits without reading its stdin must not turn into an EPIPE error here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(limits.stdin ?? '');
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let settled = false;
    const finish = (outcome: Outcome<ExecResult>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', stop);
      child.kill('SIGKILL');
      resolve(outcome);
    };
    const timer = setTimeout(
      () => finish(fail('command-timeout', `collector did not finish within ${limits.timeoutMs} ms; killed`)),
      limits.timeoutMs,
    );
    function stop(): void {
      finish(fail('collector-failed', 'collector stopped: the run is ending'));
    }
    if (limits.signal?.aborted) queueMicrotask(stop);
    limits.signal?.addEventListener('abort', stop, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > limits.maxOutputBytes) {
        finish(fail('output-too-large', `collector printed more than ${limits.maxOutputBytes} bytes; killed`));
        return;
      }
      stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    child.on('error', (err) => finish(fail('collector-failed', `cannot start ${command}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) {
        finish(ok({ stdout: Buffer.concat(stdout).toString('utf8'), stderr }));
        return;
      }
      const status = signal ? `was killed by ${signal}` : `exited with status ${code}`;
      finish(fail('collector-failed', `collector ${status}${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
    });
  });
}
