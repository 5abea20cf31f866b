import type { Io, StopSignal } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

export interface CapturedIo extends Io {
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** An Io that records what a command prints; the clock is real unless one is given. */
export function captureIo(cwd: string, clock: () => number = Date.now, env: Readonly<Record<string, string | undefined>> = {}): CapturedIo {
  let out = '';
  let err = '';
  return {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    isTty: false,
    env,
    cwd,
    clock,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    stdout: () => out,
    stderr: () => err,
  };
}

/** Runs the CLI in-process as `metrix ARGS…` and returns its exit code and output. */
export async function runCli(
  cwd: string,
  args: readonly string[],
  clock?: () => number,
  env?: Readonly<Record<string, string | undefined>>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo(cwd, clock, env);
  const code = await main(['node', 'metrix', ...args], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** An Io on which a test sends SIGTERM by hand (`sigterm`), or when the command logs a line `when` matches. */
export function stoppableIo(dir: string, when: (text: string) => boolean = () => false): { io: Io; stderr: () => string; sigterm: () => void } {
  let err = '';
  let listener: ((signal: StopSignal) => void) | undefined;
  const io: Io = {
    out: () => undefined,
    err: (text) => {
      err += text;
      if (when(text)) listener?.('SIGTERM');
    },
    isTty: false,
    env: {},
    cwd: dir,
    clock: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    onStop: (handler) => {
      listener = handler;
      return () => (listener = undefined);
    },
  };
  return { io, stderr: () => err, sigterm: () => listener?.('SIGTERM') };
}
