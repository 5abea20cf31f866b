import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { killTree, track, untrack } from './processes.js';

const run = promisify(execFile);

export interface Agent {
  readonly socket: string;
  stop(): void;
}

/** A real ssh-agent in the foreground on a private socket, holding the given keys. */
export async function startAgent(dir: string, keys: readonly string[]): Promise<Agent> {
  const socket = join(dir, 'agent.sock');
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  const pid = child.pid ?? -1;
  track(pid);
  const deadline = Date.now() + 5000;
  while (!existsSync(socket)) {
    if (Date.now() > deadline) throw new Error('ssh-agent did not create its socket');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (const key of keys) await run('ssh-add', [key], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
  return {
    socket,
    stop: () => {
      killTree(pid);
      untrack(pid);
    },
  };
}
