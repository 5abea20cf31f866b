import { randomBytes } from 'node:crypto';
import { killQuietly, markedProcesses } from '../farm/processes.js';

/**
 * Vitest global setup: fails the run when a test leaves a process behind.
 *
 * Every process a test starts inherits METRIX_TEST_RUN=<this run> from the workers' environment,
 * and the farm's sshd puts it into each session's environment too (SetEnv), so a process is
 * found through /proc even after it was re-parented to init, and another run on the same
 * machine is never mistaken for this one.
 */
export const RUN_MARKER = 'METRIX_TEST_RUN';

// Workers and processes killed in the last afterAll may take a moment to be reaped.
const SETTLE_MS = 5000;
const POLL_MS = 100;

export default function setup(): () => Promise<void> {
  const run = `${process.pid}-${randomBytes(6).toString('hex')}`;
  process.env[RUN_MARKER] = run;
  return async () => {
    const deadline = Date.now() + SETTLE_MS;
    let left = markedProcesses(RUN_MARKER, run);
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      left = markedProcesses(RUN_MARKER, run);
    }
    if (left.length === 0) return;
    for (const { pid } of left) killQuietly(pid, 'SIGKILL');
    // Vitest only logs an error thrown here; the exit code is what CI sees.
    process.exitCode = 1;
    throw new Error(
      `tests left ${left.length} process${left.length === 1 ? '' : 'es'} behind (killed now); the test that started each must stop it:\n` +
        left.map(({ pid, command }) => `  ${pid} ${command.slice(0, 300)}`).join('\n'),
    );
  };
}
