import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/poll/collector-bundle.js';
import { track, untrack } from '../farm/processes.js';

const METRIX = (): string => join(packageRoot(), 'bin', 'metrix.js');

/** Runs a metrix command in `dir` to its end, `input` on stdin; rejects unless it exits 0. */
export function metrixCommand(dir: string, args: readonly string[], input = ''): Promise<string> {
  const child = spawn(process.execPath, [METRIX(), ...args], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end(input);
  return new Promise((resolve, reject) =>
    child.once('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`metrix ${args.join(' ')} exited ${code}: ${output}`)))),
  );
}

export interface Serve {
  /** http://127.0.0.1:PORT */
  readonly base: string;
  /** Everything the server wrote so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `metrix serve --listen 127.0.0.1:0` in `dir` (the built bin/metrix.js; the kernel picks
 * the port) and resolves with its address once it says "serving http://…"; rejects if it exits
 * first or says nothing within `deadlineMs`.
 */
export function startServe(dir: string, deadlineMs = 60_000): Promise<Serve> {
  const child: ChildProcess = spawn(process.execPath, [METRIX(), 'serve', '--listen', '127.0.0.1:0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child.pid!);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    untrack(child.pid!);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`metrix serve said nothing about serving within ${deadlineMs} ms:\n${output}`));
    }, deadlineMs);
    const listen = (chunk: Buffer): void => {
      output += chunk.toString();
      const serving = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (!serving) return;
      clearTimeout(timer);
      resolve({ base: serving[1]!, output: () => output, stop });
    };
    child.stdout!.on('data', listen);
    child.stderr!.on('data', listen);
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`metrix serve exited (${code}) before serving:\n${output}`));
    });
  });
}
