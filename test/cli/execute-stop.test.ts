import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/poll/collector-bundle.js';
import { writeFarmConfig } from '../farm/config.js';
import { startFarm, type Farm } from '../farm/farm.js';
import { startSilentServer, type SilentServer } from '../farm/hostile.js';
import { sshdMissing } from '../farm/sshd.js';
import { runCli } from '../helpers/io.js';
import { storedPoints } from '../helpers/stored.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * `kill -TERM` on a real `metrix execute` process: four hosts answered, six are stuck in
 * their connect (a silent sshd) and two never started. What answered is stored, nothing is
 * claimed for the others, the lock is released, and the exit status says it was stopped.
 */
const FAST = ['f1', 'f2', 'f3', 'f4'];
const STUCK = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'];

let farm: Farm;
let silent: SilentServer;

beforeAll(async () => {
  farm = await startFarm({ servers: 2 });
  silent = await startSilentServer();
}, 60_000);

afterAll(async () => {
  await silent?.stop();
  await farm?.stop();
});

function writeConfig(dir: string, stuckPort: number): void {
  const hosts = [...FAST.map((name, i) => ({ name, port: farm.servers[i % 2]!.port })), ...STUCK.map((name) => ({ name, port: stuckPort }))];
  writeFarmConfig(farm, dir, hosts, 'concurrency="6" connectTimeout="1h" commandTimeout="30s"');
}

interface Child {
  readonly stderr: () => string;
  readonly waitFor: (pattern: RegExp) => Promise<void>;
  readonly kill: (signal: NodeJS.Signals) => void;
  readonly exit: Promise<number | null>;
}

function startExecute(dir: string): Child {
  const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'metrix.js'), 'execute'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    waiters.splice(0).forEach((wake) => wake());
  });
  child.stdout.resume();
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    stderr: () => stderr,
    waitFor: async (pattern) => {
      while (!pattern.test(stderr)) {
        if (child.exitCode !== null) throw new Error(`execute exited before ${pattern}: ${stderr}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    kill: (signal) => child.kill(signal),
    exit,
  };
}

const stored = (dir: string) => {
  const db = new Database(join(dir, 'metrix.db'), { readonly: true });
  const up = storedPoints(join(dir, 'metrix.db'), 'host_up')
    .map((p) => ({ name: p.host }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const locks = (db.prepare('SELECT COUNT(*) AS n FROM run_lock').get() as { n: number }).n;
  const runs = (db.prepare('SELECT hosts_ok, hosts_failed FROM runs').all() as Array<{ hosts_ok: number; hosts_failed: number }>);
  db.close();
  return { hostsWithUp: up.map((row) => row.name), locks, runs };
};

describe.skipIf(sshdMissing() !== undefined)('metrix execute stopped by a signal', () => {
  it('stores what came back before SIGTERM, claims nothing for the rest, releases the lock, exits 143', async () => {
    const dir = tempDir();
    writeConfig(dir, farm.servers[0]!.port);
    expect((await runCli(dir, ['upload'])).code).toBe(0);
    writeConfig(dir, silent.port); // the stuck hosts now hang in their SSH handshake, for up to an hour

    const child = startExecute(dir);
    for (const name of FAST) await child.waitFor(new RegExp(`INFO \\[${name}\\] ok in`));
    child.kill('SIGTERM');
    await child.waitFor(/WARN SIGTERM: starting no new host/);
    child.kill('SIGTERM'); // a second signal ends the grace at once
    expect(await child.exit).toBe(143);

    const err = child.stderr();
    expect(err).not.toMatch(/samples saved/);
    expect(err).toMatch(/INFO stored \d+ samples from 4 hosts\n/);
    expect(err).toMatch(/WARN stopped by SIGTERM: 8 not polled or not waited for \(s1, s2, s3, s4, s5, s6, s7, s8\)/);
    expect(err.indexOf('INFO stored')).toBeGreaterThan(err.indexOf('[f4] ok in'));
    const after = stored(dir);
    expect(after.hostsWithUp).toEqual(FAST);
    expect(after.locks).toBe(0);
    expect(after.runs).toEqual([{ hosts_ok: 4, hosts_failed: 0 }]);
  }, 90_000);
});

