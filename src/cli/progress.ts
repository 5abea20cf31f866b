import { logLine, type Io, type Level } from './io.js';

export interface HostEvent {
  readonly host: string;
  readonly level: Level;
  readonly message: string;
}

/** The bar line: `[##########··········] 100/200 hosts  98 ok  2 failed  4.1s`. */
export function renderBar(done: number, total: number, failed: number, elapsedMs: number, width = 20): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  const bar = `${'#'.repeat(filled)}${'·'.repeat(width - filled)}`;
  return `[${bar}] ${done}/${total} hosts  ${done - failed} ok  ${failed} failed  ${(elapsedMs / 1000).toFixed(1)}s`;
}

/**
 * Reports hosts as they finish: on a terminal a progress bar with problems printed above
 * it; elsewhere (cron) one log line per host, so the log reads the same every minute.
 */
export class Progress {
  private done = 0;
  private failed = 0;
  private finished = false;
  private readonly started: number;

  constructor(
    private readonly io: Io,
    private readonly total: number,
  ) {
    this.started = io.clock();
    if (io.isTty) this.draw();
  }

  host(event: HostEvent): void {
    this.done += 1;
    if (event.level === 'ERROR') this.failed += 1;
    if (!this.io.isTty) {
      logLine(this.io, event.level, event.message, event.host);
      return;
    }
    if (event.level !== 'INFO') {
      this.io.err('\r\x1b[2K');
      logLine(this.io, event.level, event.message, event.host);
    }
    this.draw();
  }

  /** A line about a host that does not count as its outcome (a collector warning). */
  note(event: HostEvent): void {
    if (this.io.isTty) this.io.err('\r\x1b[2K');
    logLine(this.io, event.level, event.message, event.host);
    if (this.io.isTty) this.draw();
  }

  /** Clears the bar; safe to call more than once. */
  finish(): void {
    if (this.io.isTty && !this.finished) this.io.err('\r\x1b[2K');
    this.finished = true;
  }

  private draw(): void {
    this.io.err(`\r\x1b[2K${renderBar(this.done, this.total, this.failed, this.io.clock() - this.started)}`);
  }
}
