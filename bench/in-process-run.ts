/**
 * `metrix run` inside this process (main() from the build), on a clock that skips the waits
 * between cycles: cycles run back to back, each on its own wall-clock boundary, while
 * everything inside a cycle (SSH, collectors, deadlines) runs in real time. Like
 * test/run/harness.ts, but keeps no log text: memory is what the soak measures.
 */
import type { Io, StopSignal } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';

export interface InProcessRun {
  readonly done: Promise<number>;
  /** SIGTERM, as the process's own handler would pass it on. */
  stop(): void;
}

/** Starts `metrix run args…` in `cwd`; every log line goes to `onLine` (without its newline). */
export function startInProcessRun(cwd: string, args: readonly string[], onLine: (line: string) => void): InProcessRun {
  let offset = 0;
  const stopListeners = new Set<(signal: StopSignal) => void>();
  const io: Io = {
    out: () => undefined,
    err: (text) => {
      for (const line of text.split('\n')) if (line !== '') onLine(line);
    },
    isTty: false,
    env: {},
    cwd,
    clock: () => Date.now() + offset,
    sleep: async (ms) => {
      offset += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
    onStop: (listener) => {
      stopListeners.add(listener);
      return () => void stopListeners.delete(listener);
    },
    onHangup: () => () => undefined,
  };
  return {
    done: main(['node', 'metrix', 'run', ...args], io),
    stop: () => stopListeners.forEach((listener) => listener('SIGTERM')),
  };
}
