import { fail, ok, type Outcome } from '../result.js';
import type { RemoteChannel, RemoteProcess, SshConnection } from './client.js';

const STDERR_TAIL_CHARS = 4096;

export interface CommandLimits {
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  /** Written to the command's stdin, which is then closed; without it stdin is left alone. */
  readonly stdin?: string;
}

export interface CommandResult {
  readonly stdout: string;
  /** The last few KB of stderr. */
  readonly stderr: string;
  /** Null when the command was killed by a signal. */
  readonly exitCode: number | null;
  readonly signal: string | undefined;
}

/**
 * Runs one command line on an open connection. Always settles: a time limit, an stdout cap
 * and the connection dropping all end it. On a limit the remote process is sent KILL (where
 * the server honours "signal" requests) and the channel is closed. A non-zero exit is a
 * result, not a failure: the caller decides what it means.
 */
export function runRemote(connection: SshConnection, command: string, limits: CommandLimits, what: string): Promise<Outcome<CommandResult>> {
  return new Promise((resolve) => {
    let channel: RemoteChannel | undefined;
    let settled = false;
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    const finish = (outcome: Outcome<CommandResult>, stop: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe();
      if (stop && channel) abandon(channel);
      resolve(outcome);
    };
    const timer = setTimeout(
      () => finish(fail('command-timeout', `${what} did not finish within ${limits.timeoutMs} ms; stopped`), true),
      limits.timeoutMs,
    );
    const unsubscribe = connection.onClose((reason) => finish(fail('ssh', `connection lost during ${what}: ${reason}`), false));
    connection.exec(command).then(
      (started: RemoteProcess) => {
        const opened = started.channel;
        channel = opened;
        if (settled) return abandon(opened);
        opened.on('data', (chunk: Buffer) => {
          stdoutBytes += chunk.length;
          if (stdoutBytes > limits.maxOutputBytes) {
            finish(fail('output-too-large', `${what} printed more than ${limits.maxOutputBytes} bytes; stopped`), true);
          } else {
            stdout.push(chunk);
          }
        });
        opened.stderr.on('data', (chunk: Buffer) => {
          stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
        });
        opened.on('error', (err: Error) => finish(fail('ssh', `${what} failed: ${err.message}`), true));
        if (limits.stdin !== undefined) opened.end(limits.stdin);
        opened.on('close', () => {
          // Read at close, not from an `exit` listener here: the status may have come before this ran.
          const exit = started.exitStatus();
          if (exit === undefined) return finish(fail('ssh', `connection lost during ${what}: no exit status`), false);
          finish(ok({ stdout: Buffer.concat(stdout).toString('utf8'), stderr, exitCode: exit.code, signal: exit.signal }), false);
        });
      },
      (err: Error) => finish(fail('ssh', `cannot start ${what}: ${err.message}`), false),
    );
  });
}

function abandon(channel: RemoteChannel): void {
  try {
    channel.signal('KILL');
  } catch {
    // The channel may already be closing; closing it below is what matters.
  }
  try {
    channel.close();
  } catch {
    // Same: a channel that cannot be closed is already gone.
  }
}
