import { spawn, type ChildProcessByStdio } from 'child_process';
import type { Readable } from 'stream';
import { identify, type ProcessIdentity } from './process-identity.js';

export type CommandResult =
  | { readonly ok: true; readonly stdout: string }
  | {
      readonly ok: false;
      readonly timedOut: boolean;
      readonly message: string;
      /**
       * What it printed before it failed or was given up on: `stat` exits 1 when one of its
       * files fails and still prints the others. Past a timeout only whole lines are sure.
       */
      readonly stdout: string;
      /** The helper given up on at the time limit, sent SIGKILL but maybe stuck; absent if it had already ended. */
      readonly abandoned?: ProcessIdentity;
    };

// Tools we run print a few lines; anything bigger is a fault, not data.
const MAX_OUTPUT_BYTES = 1024 * 1024;

// Helpers lead their own process groups, so nothing kills them when this process ends early
// (its deadline, a failed poll): whatever still runs then is killed on the way out.
const running = new Set<number>();
let killOnExitArmed = false;

function killRunningOnExit(): void {
  running.forEach((pid) => killGroup(pid));
  running.clear();
}

/** Kills a helper's whole process group (it leads one: spawned detached), or the helper alone when that fails. */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/**
 * Runs a helper program with a time limit and never waits past it. A helper stuck in the
 * kernel (statfs on a dead NFS server, nvidia-smi on a GPU that fell off the bus) cannot be
 * killed until the kernel lets go, so on timeout it is sent SIGKILL and then abandoned:
 * its pipes are closed and its handle unreferenced, so this process can still exit.
 */
export function runCommand(argv: readonly string[], timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve) => {
    const [program, ...args] = argv;
    if (program === undefined) return resolve({ ok: false, timedOut: false, message: 'no command given', stdout: '' });
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    const printed = (): string => Buffer.concat(stdout).toString('utf8');
    const finish = (result: CommandResult): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve(result);
    };
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      // detached: the helper leads its own process group, so a timeout also kills what it started.
      child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      return finish({ ok: false, timedOut: false, message: err instanceof Error ? err.message : String(err), stdout: '' });
    }
    const pid = child.pid;
    if (pid !== undefined) {
      running.add(pid);
      child.on('exit', () => running.delete(pid));
      if (!killOnExitArmed) {
        killOnExitArmed = true;
        process.on('exit', killRunningOnExit);
      }
    }
    const abandon = (): void => {
      if (pid !== undefined) {
        running.delete(pid);
        killGroup(pid);
      }
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
    };
    timer = setTimeout(() => {
      // Identified before the kill, while the unreaped child still holds its pid for sure.
      const left = pid === undefined ? undefined : identify(pid);
      abandon();
      const failed = { ok: false, timedOut: true, message: `timed out after ${timeoutMs}ms`, stdout: printed() } as const;
      finish(left === undefined ? failed : { ...failed, abandoned: left });
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) {
        abandon();
        finish({ ok: false, timedOut: false, message: `printed more than ${MAX_OUTPUT_BYTES} bytes`, stdout: printed() });
      } else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 16) stderr.push(chunk);
    });
    child.on('error', (err) => finish({ ok: false, timedOut: false, message: err.message, stdout: printed() }));
    child.on('close', (code, signal) => {
      if (code === 0) return finish({ ok: true, stdout: printed() });
      const said = firstLine(Buffer.concat(stderr).toString('utf8'));
      const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
      finish({ ok: false, timedOut: false, message: said ? `${how}: ${said}` : how, stdout: printed() });
    });
  });
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0];
  return line === undefined ? '' : line.trim();
}
