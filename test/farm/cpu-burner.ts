import { spawn } from 'node:child_process';
import { killQuietly, track, untrack } from './processes.js';

export interface CpuBurners {
  stop(): void;
}

/**
 * Starts `count` Node children that spin forever, so that the test process gets the CPU late
 * and several SSH packets pile up in one read (how a busy machine looks to the event loop).
 * Tracked, so they die with the test process even if afterAll never runs.
 */
export function burnCpu(count: number): CpuBurners {
  const pids = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    const pid = child.pid ?? -1;
    track(pid);
    return pid;
  });
  return {
    stop: () => {
      for (const pid of pids) {
        killQuietly(pid, 'SIGKILL');
        untrack(pid);
      }
    },
  };
}
