import { spawn, type ChildProcess } from 'child_process';
import { killGroup } from './run-command.js';

// Runs one plugin command line the way Nagios does (/bin/sh -c), bounded in time and in what
// it may print. The shell leads a process group of its own, so a timeout kills everything the
// plugin started too; output past the cap is read and thrown away (so a chatty plugin still
// ends normally), never kept.

/** What a plugin's run left: its exit, or why there is none. */
export interface PluginRun {
  /** Exit status; undefined when killed by a signal, timed out or never started. */
  readonly code: number | undefined;
  readonly signal: string | undefined;
  readonly timedOut: boolean;
  /** Could not start at all (no /bin/sh, EAGAIN...). */
  readonly startError: string | undefined;
  /** The first MAX_KEPT_BYTES of stdout. */
  readonly stdout: string;
  /** The first MAX_STDERR_BYTES of stderr. */
  readonly stderr: string;
  /** Bytes of stdout beyond what was kept. */
  readonly droppedBytes: number;
}

export const MAX_KEPT_BYTES = 64 * 1024;
const MAX_STDERR_BYTES = 4096;

// Plugins still running when this process ends (its own deadline) are killed on the way out.
const running: { [pid: number]: true } = {};
let exitHookArmed = false;

function killAllOnExit(): void {
  for (const pid of Object.keys(running)) killGroup(Number(pid));
}

/** A bounded buffer: keeps the first `max` bytes and counts the rest. */
class Capped {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  dropped = 0;
  constructor(private readonly max: number) {}
  add(chunk: Buffer): void {
    const room = this.max - this.kept;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.slice(0, room);
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.dropped += Math.max(0, chunk.length - Math.max(room, 0));
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Runs `command` under /bin/sh -c for at most `timeoutMs`; always resolves. */
export function runPlugin(command: string, timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<PluginRun> {
  return new Promise((resolve) => {
    const stdout = new Capped(MAX_KEPT_BYTES);
    const stderr = new Capped(MAX_STDERR_BYTES);
    let settled = false;
    let timedOut = false;
    let child: ChildProcess;
    const done = (code: number | undefined, signal: string | undefined, startError: string | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child !== undefined && child.pid !== undefined) delete running[child.pid];
      resolve({ code, signal, timedOut, startError, stdout: stdout.text(), stderr: stderr.text(), droppedBytes: stdout.dropped });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killGroup(child.pid);
      // A grandchild that left the group may hold the pipes open: stop waiting for them.
      if (child.stdout) child.stdout.destroy();
      if (child.stderr) child.stderr.destroy();
      child.unref();
      done(undefined, undefined, undefined);
    }, timeoutMs);
    try {
      // LC_ALL=C: numbers in perfdata use ".", as the guidelines ask of plugins (Icinga does the same).
      child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...env, LC_ALL: 'C' } });
    } catch (err) {
      clearTimeout(timer);
      settled = true;
      return resolve({ code: undefined, signal: undefined, timedOut: false, startError: err instanceof Error ? err.message : String(err), stdout: '', stderr: '', droppedBytes: 0 });
    }
    if (child.pid !== undefined) {
      running[child.pid] = true;
      if (!exitHookArmed) {
        exitHookArmed = true;
        process.on('exit', killAllOnExit);
      }
    }
    child.stdout!.on('data', (chunk: Buffer) => stdout.add(chunk));
    child.stderr!.on('data', (chunk: Buffer) => stderr.add(chunk));
    child.on('error', (err) => done(undefined, undefined, err.message));
    child.on('close', (code, signal) => {
      // The shell is gone; anything it left behind in its group goes with it.
      if (child.pid !== undefined) killGroup(child.pid);
      done(code === null ? undefined : code, signal === null ? undefined : signal, undefined);
    });
  });
}
