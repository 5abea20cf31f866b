import { CollectorFailure, deadlineFailure } from './failure.js';
import { parseArgs } from './args.js';
import { runCollector } from './run.js';
import { serveRequests } from './serve.js';
import { readLogHelper } from './logs-remote.js';
import { REPLACED_EXIT } from './protocol.js';

// Entry point of the bundled collector. Whatever happens, stdout carries either the one
// report line or nothing, and stderr at most one "metrix-collector: ..." line, never a
// stack trace: the poller shows that line to the sysadmin as the reason a poll failed.

const INTERNAL_EXIT = 1;

function exitAfter(stream: NodeJS.WriteStream, text: string, code: number): void {
  // Exit explicitly once the text is flushed: a statfs child abandoned in the kernel must
  // never keep this process alive, whatever handle might still be open.
  stream.write(text, () => process.exit(code));
}

function fail(err: unknown): void {
  if (err instanceof CollectorFailure) return exitAfter(process.stderr, `metrix-collector: ${err.message}\n`, err.exitCode);
  const message = err instanceof Error ? err.message : String(err);
  exitAfter(process.stderr, `metrix-collector: internal error: ${message}\n`, INTERNAL_EXIT);
}

// A poller that hung up must not turn into an EPIPE stack trace.
process.stdout.on('error', () => process.exit(INTERNAL_EXIT));
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
// Signals end the process through process.exit, so the exit hook that kills statfs helpers
// still running runs too (a signal's default action would skip it). Status 128+n as a shell
// reports. A resident collector (--serve) first finishes the answer under way.
const SIGNAL_EXIT: { [signal: string]: number } = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
const serving = process.argv.indexOf('--serve') >= 0;
const stopListeners: Array<() => void> = [];
Object.keys(SIGNAL_EXIT).forEach((signal) =>
  process.on(signal as NodeJS.Signals, () => {
    if (serving && stopListeners.length > 0) stopListeners.forEach((listener) => listener());
    else process.exit(SIGNAL_EXIT[signal]);
  }),
);

const armDeadline = (ms: number): (() => void) => {
  if (ms <= 0) return () => undefined;
  const timer = setTimeout(() => fail(deadlineFailure(`gave up after ${ms} ms (the poller's command timeout)`)), ms);
  timer.unref();
  return () => clearTimeout(timer);
};

const argv = process.argv.slice(2);
if (argv[0] === '--read-log') {
  // A helper started by this collector to read one log on a network mount (logs-remote.ts).
  Promise.resolve()
    .then(() => readLogHelper(argv[1]))
    .then((line) => exitAfter(process.stdout, line, 0), fail);
} else if (serving) {
  // Resident (metrix run): stays up until the poller closes stdin or a new upload replaces us.
  Promise.resolve()
    .then(() => {
      const options = parseArgs(argv, __dirname);
      return serveRequests(options, {
        input: process.stdin,
        write: (text, done) => process.stdout.write(text, done),
        armDeadline,
        watched: [__filename, options.keyPath],
        onStop: (listener) => stopListeners.push(listener),
      });
    })
    .then((end) => exitAfter(process.stdout, '', end === 'replaced' ? REPLACED_EXIT : 0), fail);
} else {
  runCollector(argv, __dirname, armDeadline).then((text) => exitAfter(process.stdout, text, 0), fail);
}
