import { escapeControl } from '../text/escape.js';
import { readSecret } from './secret.js';
import { formatUtcMs } from '../text/time.js';

/** Where a command writes, what it may read of the machine, and its clock: all injectable for tests. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** True when stderr is a terminal: progress bars instead of log lines. */
  readonly isTty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly clock: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Calls `listener` with the signal's name on each SIGTERM or SIGINT until unsubscribed; absent where nothing can stop us. */
  readonly onStop?: (listener: (signal: StopSignal) => void) => () => void;
  /** Calls `listener` on each SIGHUP until unsubscribed (metrix run reloads its config). */
  readonly onHangup?: (listener: () => void) => () => void;
  /** Reads a password: piped stdin's first line, or typed at a prompt without echo; absent where there is no input. */
  readonly readSecret?: (prompt: string) => Promise<string>;
}

export type StopSignal = 'SIGTERM' | 'SIGINT';

export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    isTty: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
    clock: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    onStop: (listener) => {
      const signals: StopSignal[] = ['SIGTERM', 'SIGINT'];
      const handlers = signals.map((signal) => [signal, () => listener(signal)] as const);
      for (const [signal, handler] of handlers) process.on(signal, handler);
      return () => {
        for (const [signal, handler] of handlers) process.off(signal, handler);
      };
    },
    onHangup: (listener) => {
      const handler = (): void => listener();
      process.on('SIGHUP', handler);
      return () => void process.off('SIGHUP', handler);
    },
    readSecret: (prompt) => readSecret(prompt),
  };
}

export type Level = 'INFO' | 'WARN' | 'ERROR';

/**
 * Log lines like `2026-11-22T04:00:00Z INFO [f4] poll ok`; the timestamp only off a terminal (cron logs).
 * Messages carry host output and user text, so control characters are escaped: one call, one line.
 */
export function logLine(io: Io, level: Level, message: string, host?: string): void {
  const stamp = io.isTty ? '' : `${formatUtcMs(io.clock())} `;
  io.err(`${stamp}${level} ${host ? `[${escapeControl(host)}] ` : ''}${escapeControl(message)}\n`);
}
