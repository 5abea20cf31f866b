import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/poll/collector-bundle.js';
import { Store } from '../../src/store/store.js';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';
import { killQuietly } from '../farm/processes.js';
import { startPingServer } from '../notify/ping-server.js';
import { residentPids, startRun, storedPolls, type RunHandle } from './harness.js';

/** `metrix run` on hosts of the local transport: resident collectors are child processes. */
function writeConfig(dir: string, hosts: readonly string[], extra = ''): void {
  writeFileSync(
    join(dir, 'config.xml'),
    `<metrix>
  <settings database="metrix.db" keys="keys" commandTimeout="20s"/>
  <hosts>
    ${hosts.map((name) => `<host name="${name}" transport="local"/>`).join('\n    ')}
  </hosts>
  <mail transport="file" dir="outbox" from="metrix@localhost" to="root@localhost"/>
  ${extra}
</metrix>
`,
  );
}

const runs: RunHandle[] = [];
function start(dir: string, args: readonly string[]): RunHandle {
  const handle = startRun(dir, args);
  runs.push(handle);
  return handle;
}

/** Resident collectors end a moment after they are told to: wait for it, within a few seconds. */
async function untilNoResidents(needle: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (residentPids(needle).length > 0) {
    if (Date.now() > deadline) throw new Error(`resident collectors still running: ${residentPids(needle).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

afterEach(async () => {
  for (const handle of runs.splice(0)) {
    handle.signal('SIGTERM');
    handle.signal('SIGTERM');
    await handle.done.catch(() => undefined);
  }
});

describe('metrix run (local hosts)', () => {
  it('applies retention in the wait after a cycle, at most once an hour', async () => {
    const dir = tempDir();
    writeConfig(dir, ['a']);
    writeFileSync(join(dir, 'config.xml'), readFileSync(join(dir, 'config.xml'), 'utf8').replace('commandTimeout="20s"', 'commandTimeout="20s" retention="7d"'));
    // Two days of a host polled a month ago.
    const store = Store.open(join(dir, 'metrix.db'));
    const from = Math.floor((Date.now() - 30 * 86_400_000) / 3_600_000) * 3_600_000;
    for (let ts = from; ts < from + 2 * 86_400_000; ts += 600_000) {
      store.writeRun({ startedAt: ts, finishedAt: ts, polls: [{ host: 'old', ts, durationMs: 1, failure: undefined, collector: 't', samples: [{ m: 'load1', v: 1.5 }] }] });
    }
    store.close();
    const run = start(dir, ['--every', '10s']);
    await run.waitForCycle(3);
    run.signal('SIGTERM');
    expect(await run.done).toBe(0);
    expect(run.stderr().match(/INFO retention: /g)).toHaveLength(1);
    expect(run.stderr()).toMatch(/INFO cycle 1: .*\n.*INFO retention: rolled up 288 5-minute buckets and 48 hourly buckets; removed 287 raw samples \(287 rows\); removed 287 polls and 287 runs\n/);
    const reader = Store.open(join(dir, 'metrix.db'), { readonly: true });
    expect(reader.coverage('old')?.rawFrom).toBeGreaterThanOrEqual(from + 2 * 86_400_000);
    reader.close();
  });

  it('polls every cycle through one resident collector per host, and exits 0 on SIGTERM', async () => {
    const dir = tempDir();
    writeConfig(dir, ['a', 'b']);
    const run = start(dir, ['--every', '10s']);
    await run.waitForCycle(2);
    const keys = join(dir, 'keys');
    const early = residentPids(keys);
    expect(early).toHaveLength(2);
    await run.waitForCycle(6);
    expect(residentPids(keys)).toEqual(early);
    run.signal('SIGTERM');
    expect(await run.done).toBe(0);
    await untilNoResidents(keys);
    const stored = storedPolls(dir);
    expect(stored.byHost['a']!.ok).toBeGreaterThanOrEqual(6);
    expect(stored.byHost['b']!.ok).toBe(stored.byHost['b']!.polls);
    expect(stored.inconsistentRuns).toBe(0);
    expect(stored.locks).toBe(0);
    expect(run.stderr()).toMatch(/INFO stopped by SIGTERM after \d+ cycle\(s\)/);
  });

  it('starts each cycle on a wall-clock multiple of --every', async () => {
    const dir = tempDir();
    writeConfig(dir, ['a']);
    const run = start(dir, ['--every', '7s']);
    await run.waitForCycle(4);
    run.signal('SIGTERM');
    await run.done;
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(dir, 'metrix.db'), { readonly: true });
    const starts = (db.prepare('SELECT started_at FROM runs ORDER BY id').all() as Array<{ started_at: number }>).map((row) => row.started_at);
    db.close();
    // The first cycle starts at once; the others within a moment of their boundary.
    for (const at of starts.slice(1)) expect(at % 7000).toBeLessThan(1000);
  });

  it('starts a new resident collector when one is killed with kill -9, and the host is polled again', async () => {
    const dir = tempDir();
    writeConfig(dir, ['a', 'b']);
    const run = start(dir, ['--every', '10s']);
    await run.waitForCycle(2);
    const [victim] = residentPids(join(dir, 'keys', 'hosts', 'a.'));
    expect(victim).toBeDefined();
    killQuietly(victim!, 'SIGKILL');
    await run.waitForCycle(5);
    const [successor] = residentPids(join(dir, 'keys', 'hosts', 'a.'));
    expect(successor).toBeDefined();
    expect(successor).not.toBe(victim);
    run.signal('SIGTERM');
    expect(await run.done).toBe(0);
    const stored = storedPolls(dir);
    // At most the cycle that was asking when the kill landed failed; the later ones are ok.
    expect(stored.byHost['a']!.polls - stored.byHost['a']!.ok).toBeLessThanOrEqual(1);
    expect(stored.byHost['b']!.ok).toBe(stored.byHost['b']!.polls);
  });

  it('reloads config.xml on SIGHUP at the next cycle, and keeps the old one when the new one is bad', async () => {
    const dir = tempDir();
    writeConfig(dir, ['a']);
    const run = start(dir, ['--every', '10s']);
    await run.waitForCycle(1);
    writeConfig(dir, ['a', 'c']);
    run.hangup();
    await run.waitFor(/config\.xml reloaded: 2 hosts/);
    await run.waitFor(/cycle \d+: 2 hosts in/);
    writeFileSync(join(dir, 'config.xml'), '<metrix><settings concurrency="lots"/></metrix>');
    run.hangup();
    await run.waitFor(/ERROR config\.xml not reloaded: .*concurrency.*; keeping the config in use/);
    const cycles = run.stderr().match(/INFO cycle \d+/g)!.length;
    await run.waitForCycle(cycles + 2);
    expect(run.stderr().split('\n').filter((line) => /INFO cycle \d+: /.test(line)).at(-1)).toMatch(/2 hosts in .*: 2 ok, 0 failed/);
    run.signal('SIGTERM');
    expect(await run.done).toBe(0);
    expect(storedPolls(dir).byHost['c']!.ok).toBeGreaterThanOrEqual(2);
  });

  it('holds the run lock for its whole life: a second run and a cron execute exit 3 naming its pid', async () => {
    const dir = tempDir();
    writeConfig(dir, ['a']);
    const run = start(dir, ['--every', '10s']);
    await run.waitForCycle(2);
    const second = await runCli(dir, ['run', '--every', '10s', '--wait', '0s']);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(new RegExp(`another metrix execute or run is polling this database \\(pid ${process.pid} on `));
    const cron = await runCli(dir, ['execute', '--wait', '0s']);
    expect(cron.code).toBe(3);
    expect(cron.stderr).toMatch(new RegExp(`pid ${process.pid} on `));
    run.signal('SIGTERM');
    expect(await run.done).toBe(0);
    // Released at exit: cron's execute runs again.
    expect((await runCli(dir, ['execute'])).code).toBe(0);
  });

  it('pings the heartbeat after good cycles, at most once per <heartbeat every>', async () => {
    const server = await startPingServer();
    try {
      const dir = tempDir();
      writeConfig(dir, ['a'], `<heartbeat url="${server.origin}/ping/secret-token" every="30s" timeout="5s"/>`);
      const run = start(dir, ['--every', '10s']);
      await run.waitForCycle(8);
      run.signal('SIGTERM');
      expect(await run.done).toBe(0);
      // Cycles 10 s apart over 70 s or so: a ping at the first, then one every third cycle.
      expect(server.requests.length).toBeGreaterThanOrEqual(2);
      expect(server.requests.length).toBeLessThanOrEqual(4);
      expect(server.requests.every((request) => request.path === '/ping/secret-token')).toBe(true);
      expect(run.stderr()).not.toMatch(/secret-token/);
    } finally {
      await server.close();
    }
  });

  it('keeps the local hosts up when the whole process group is signalled (Ctrl-C, systemctl stop)', async () => {
    const dir = tempDir();
    writeConfig(dir, ['a', 'b', 'c'], '<alerts><alert name="host-down" metric="host_up" op="==" value="0" severity="critical"/></alerts>');
    const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'metrix.js'), 'run', '--every', '1s'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      while (!/INFO cycle 2: /.test(stderr)) {
        if (child.exitCode !== null) throw new Error(`run ended early: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      process.kill(-child.pid!, 'SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    expect(stderr).toMatch(/INFO SIGTERM: finishing this cycle/);
    expect(stderr).not.toMatch(/down:|host-down firing/);
    const stored = storedPolls(dir);
    for (const name of ['a', 'b', 'c']) expect(stored.byHost[name]!.ok).toBe(stored.byHost[name]!.polls);
    await untilNoResidents(join(dir, 'keys'));
  }, 30_000);

  it('ends the resident of a host a reload removed, and keeps the others warm', async () => {
    const dir = tempDir();
    writeConfig(dir, ['a', 'b']);
    const run = start(dir, ['--every', '10s']);
    await run.waitForCycle(2);
    const a = residentPids(join(dir, 'keys', 'hosts', 'a.'));
    expect(a).toHaveLength(1);
    writeConfig(dir, ['a']);
    run.hangup();
    await run.waitFor(/config\.xml reloaded: 1 host/);
    await run.waitFor(/cycle \d+: 1 host in/);
    await untilNoResidents(join(dir, 'keys', 'hosts', 'b.'));
    expect(residentPids(join(dir, 'keys', 'hosts', 'a.'))).toEqual(a);
    run.signal('SIGTERM');
    expect(await run.done).toBe(0);
  });

  it('refuses a bad --every before it starts anything', async () => {
    const dir = tempDir();
    writeConfig(dir, ['a']);
    const result = await runCli(dir, ['run', '--every', '0s']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--every "0s"/);
    expect(existsSync(join(dir, 'metrix.db'))).toBe(false);
  });
});
