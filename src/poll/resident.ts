import { fail, ok, type Failure, type Outcome } from '../result.js';

const STDERR_TAIL_CHARS = 4096;

/** How a resident collector ended: its exit status, or the channel or connection carrying it went away. */
export type ResidentEnd =
  | { readonly kind: 'exit'; readonly code: number | null; readonly signal: string | undefined; readonly stderr: string }
  | { readonly kind: 'lost'; readonly message: string };

/**
 * A collector process started with --serve, as its transport sees it: an SSH exec channel
 * kept open, or a local child process. Whatever carries it, the process is written request
 * lines and read answer lines, and `kill` ends it for good (the transport's strongest means).
 */
export interface ResidentProcess {
  write(text: string): void;
  onStdout(listener: (chunk: Buffer) => void): void;
  onStderr(listener: (chunk: Buffer) => void): void;
  /** Called once, when the process has ended or can no longer be reached. */
  onEnd(listener: (end: ResidentEnd) => void): void;
  kill(): void;
}

export interface AskLimits {
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
}

/**
 * One host's resident collector: one request line in, one answer line out, never two
 * requests at once. Anything else it does — output nobody asked for, a second line, an
 * answer past the deadline or over the size cap, dying — ends it: a later poll starts a new one.
 */
export class Resident {
  #end: ResidentEnd | undefined;
  #stderr = '';
  #answer: Buffer[] = [];
  #answerBytes = 0;
  #waiting: ((outcome: Outcome<string>) => void) | undefined;
  #limits: AskLimits | undefined;
  readonly #endListeners: Array<(end: ResidentEnd) => void> = [];

  constructor(
    private readonly process: ResidentProcess,
    /** Turns the process's end while a poll waited into the failure a sysadmin can act on. */
    private readonly describeEnd: (end: ResidentEnd) => Failure,
  ) {
    process.onStdout((chunk) => this.#onStdout(chunk));
    process.onStderr((chunk) => (this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS)));
    process.onEnd((end) => {
      this.#end = end.kind === 'exit' ? { ...end, stderr: this.#stderr } : end;
      this.#settle(fail(this.describeEnd(this.#end).reason, this.describeEnd(this.#end).message));
      for (const listener of this.#endListeners.splice(0)) listener(this.#end);
    });
  }

  /** How the process ended, once it has. */
  get end(): ResidentEnd | undefined {
    return this.#end;
  }

  /** False once the process ended or was killed: the transport starts another. */
  get alive(): boolean {
    return this.#end === undefined;
  }

  onEnd(listener: (end: ResidentEnd) => void): void {
    if (this.#end) listener(this.#end);
    else this.#endListeners.push(listener);
  }

  /** Sends one request and resolves with its answer line (no newline); never rejects. */
  ask(request: string, limits: AskLimits): Promise<Outcome<string>> {
    if (this.#end) return Promise.resolve(fail(this.describeEnd(this.#end).reason, this.describeEnd(this.#end).message));
    if (this.#waiting) return Promise.resolve(fail('collector-failed', 'resident collector is still answering the previous poll'));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#kill(fail('command-timeout', `resident collector did not answer within ${limits.timeoutMs} ms; stopped`));
      }, limits.timeoutMs);
      this.#limits = limits;
      this.#answer = [];
      this.#answerBytes = 0;
      this.#waiting = (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      try {
        this.process.write(`${request}\n`);
      } catch (err) {
        this.#kill(fail('ssh', `cannot write to the resident collector: ${err instanceof Error ? err.message : String(err)}`));
      }
    });
  }

  /** Ends the process (the run is stopping, or it misbehaved). */
  kill(): void {
    this.#kill(fail('collector-failed', 'resident collector stopped: the run is ending'));
  }

  #kill(outcome: Outcome<never>): void {
    this.#settle(outcome);
    if (this.#end === undefined) {
      this.#end = { kind: 'lost', message: outcome.ok ? 'stopped' : outcome.failure.message };
      for (const listener of this.#endListeners.splice(0)) listener(this.#end);
    }
    try {
      this.process.kill();
    } catch {
      // Already gone: nothing left to end.
    }
  }

  #settle(outcome: Outcome<string>): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(outcome);
  }

  #onStdout(chunk: Buffer): void {
    const limits = this.#limits;
    if (!this.#waiting || !limits) {
      this.#kill(fail('bad-output', 'resident collector printed without being asked'));
      return;
    }
    const newline = chunk.indexOf(0x0a);
    const part = newline < 0 ? chunk : chunk.subarray(0, newline);
    this.#answerBytes += part.length;
    if (this.#answerBytes > limits.maxOutputBytes) {
      this.#kill(fail('output-too-large', `resident collector printed more than ${limits.maxOutputBytes} bytes; stopped`));
      return;
    }
    this.#answer.push(part);
    if (newline < 0) return;
    if (newline !== chunk.length - 1) {
      this.#kill(fail('bad-output', 'resident collector printed more than one line for one request'));
      return;
    }
    const line = Buffer.concat(this.#answer).toString('utf8');
    this.#answer = [];
    this.#settle(ok(line));
  }
}
