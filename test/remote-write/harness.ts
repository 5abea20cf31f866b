import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';

/** A clock that moves only when told, and a sleep that moves it: backoffs take no waiting. */
export interface FakeTime {
  now(): number;
  advance(ms: number): void;
  /** Every sleep asked for, in ms. */
  readonly slept: number[];
}

export function fakeTime(start: number): FakeTime {
  let t = start;
  const slept: number[] = [];
  return { now: () => t, advance: (ms) => void (t += ms), slept };
}

/** Runs `metrix ARGS…` in-process on a fake clock whose sleeps return at once. */
export async function metrix(dir: string, args: readonly string[], time: FakeTime, env: Readonly<Record<string, string>> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    isTty: false,
    env,
    cwd: dir,
    clock: time.now,
    sleep: async (ms) => {
      time.slept.push(ms);
      time.advance(ms);
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
  const code = await main(['node', 'metrix', ...args], io);
  return { code, stdout: out, stderr: err };
}

/** A project polling this machine (transport="local") with <remoteWrite> attributes `attrs` (url included). */
export function project(remoteWrite: string, dir = tempDir()): string {
  writeFileSync(join(dir, 'config.xml'), `<metrix><hosts><host name="localhost" transport="local"/></hosts><remoteWrite ${remoteWrite}/></metrix>`);
  return dir;
}

/** What metrix stored of one metric of one host: [ts, value] oldest first. */
export function stored(dir: string, host: string, metric: string): Array<[number, number]> {
  const store = Store.open(join(dir, 'metrix.db'));
  try {
    return store.range({ host, metric, since: 0, until: Number.MAX_SAFE_INTEGER }).flatMap((series) => series.points.map((p): [number, number] => [p.ts, p.value]));
  } finally {
    store.close();
  }
}

/** Rows and samples waiting in the remote-write queue. */
export function queued(dir: string): { rows: number; samples: number } {
  const db = new Database(join(dir, 'metrix.db'), { readonly: true });
  try {
    const row = db.prepare('SELECT count(*) AS rows, coalesce(sum(samples), 0) AS samples FROM remote_write_queue').get() as { rows: number; samples: number };
    return row;
  } finally {
    db.close();
  }
}
