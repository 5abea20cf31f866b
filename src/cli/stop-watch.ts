import type { Io, StopSignal } from './io.js';

/** Exit status of a run stopped by a signal, as a shell reports a process killed by it. */
export const STOP_EXIT: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

export interface StopWatch {
  readonly signal: AbortSignal;
  /** The grace timer: cut short by a second signal. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly by: StopSignal | undefined;
  dispose(): void;
}

/**
 * SIGTERM/SIGINT while a run is under way: the first aborts `signal` (no new host starts) and
 * is reported through `onFirst`; a second one cuts the grace `sleep` short.
 */
export function watchStop(io: Io, onFirst: (signal: StopSignal) => void): StopWatch {
  const stop = new AbortController();
  const hurry = new AbortController();
  let by: StopSignal | undefined;
  const unsubscribe =
    io.onStop?.((signal) => {
      if (by !== undefined) {
        hurry.abort();
        return;
      }
      by = signal;
      onFirst(signal);
      stop.abort();
    }) ?? (() => undefined);
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (hurry.signal.aborted) return resolve();
      const timer = setTimeout(resolve, ms);
      timer.unref();
      hurry.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  return {
    signal: stop.signal,
    sleep,
    get by() {
      return by;
    },
    dispose: unsubscribe,
  };
}
