import { readdirSync, readFileSync } from 'node:fs';

const started = new Set<number>();

/** Records a pid this test process spawned, so that it is killed even if a test run aborts. */
export function track(pid: number): void {
  started.add(pid);
}

export function untrack(pid: number): void {
  started.delete(pid);
}

process.once('exit', () => {
  for (const pid of started) killQuietly(pid, 'SIGKILL');
});

/** The pid and every process below it, parents first (read from /proc). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the command name, which is in parentheses and may hold anything.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const tree: number[] = [];
  const visit = (pid: number): void => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(root);
  return tree;
}

/** Whether a process with this pid exists (signal 0 asks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGKILLs a process we started and everything it spawned (sshd's per-connection children too). */
export function killTree(root: number): void {
  for (const pid of processTree(root)) killQuietly(pid, 'SIGKILL');
}

/**
 * Processes whose environment holds NAME=VALUE: what a test started, found even after they
 * were re-parented to init (an SSH session's command outlives sshd, a killed parent's child
 * lives on). Processes of other users may be unreadable and are skipped.
 */
export function markedProcesses(name: string, value: string): Array<{ pid: number; command: string }> {
  const needle = `\0${name}=${value}\0`;
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!`\0${readFileSync(`/proc/${entry}/environ`, 'latin1')}`.includes(needle)) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      found.push({ pid: Number(entry), command });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** SIGKILLs every process marked NAME=VALUE (see markedProcesses). */
export function killMarked(name: string, value: string): void {
  for (const { pid } of markedProcesses(name, value)) killQuietly(pid, 'SIGKILL');
}
