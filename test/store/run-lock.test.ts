import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { currentHolder, type Holder } from '../../src/store/run-lock.js';
import { Store } from '../../src/store/store.js';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';

/** A clock that only moves when the code under test sleeps. */
function fakeTime(start = 1_000_000): { clock: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return { clock: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)), slept };
}

const holder = (pid: number, machine = 'master', procStart = '100'): Holder => ({ pid, machine, procStart });
const openStore = (): Store => Store.open(join(tempDir(), 'metrix.db'));

describe('acquireRunLock', () => {
  it('takes a free lock at once and frees it on release', async () => {
    const store = openStore();
    const time = fakeTime();
    const first = await store.acquireRunLock(holder(10), 10_000, time);
    expect(first).toMatchObject({ acquired: true, tookOverFrom: undefined });
    if (first.acquired) first.release();
    expect(await store.acquireRunLock(holder(11), 0, time)).toMatchObject({ acquired: true, tookOverFrom: undefined });
    expect(time.slept).toEqual([]);
  });

  it('waits for a live holder up to the limit, then reports who holds it', async () => {
    const store = openStore();
    const time = fakeTime();
    await store.acquireRunLock(holder(10), 0, { ...time, isRunning: () => true });
    const second = await store.acquireRunLock(holder(11), 1000, { ...time, isRunning: () => true });
    expect(second).toMatchObject({ acquired: false, holder: { pid: 10, machine: 'master', acquiredAt: 1_000_000 } });
    expect(time.slept.reduce((a, b) => a + b, 0)).toBe(1000);
  });

  it('gets the lock when the holder finishes while it waits', async () => {
    const store = openStore();
    const time = fakeTime();
    const first = await store.acquireRunLock(holder(10), 0, time);
    const sleep = async (ms: number): Promise<void> => {
      await time.sleep(ms);
      if (first.acquired) first.release();
    };
    const second = await store.acquireRunLock(holder(11), 5000, { clock: time.clock, sleep, isRunning: () => true });
    expect(second).toMatchObject({ acquired: true, tookOverFrom: undefined });
  });

  it.each([
    ['a holder that died', holder(10), () => false, 0],
    ['a holder on another machine after an hour', holder(10, 'other-master'), () => true, 60 * 60_000],
  ])('takes over from %s and says so', async (_name, dead, isRunning, later) => {
    const store = openStore();
    const time = fakeTime();
    await store.acquireRunLock(dead, 0, { ...time, isRunning: () => true });
    await time.sleep(later);
    const result = await store.acquireRunLock(holder(11), 0, { ...time, isRunning });
    expect(result).toMatchObject({ acquired: true, tookOverFrom: { pid: 10 } });
  });

  it('tells a reused pid from the holder by the process start time', async () => {
    const store = openStore();
    const time = fakeTime();
    const me = currentHolder();
    await store.acquireRunLock({ ...me, procStart: '1' }, 0, time);
    expect(await store.acquireRunLock(holder(11, me.machine), 0, time)).toMatchObject({ acquired: true, tookOverFrom: { pid: me.pid } });
  });
});

describe('overlapping metrix execute', () => {
  const config = '<metrix><hosts><host name="localhost" transport="local"/></hosts></metrix>';

  it('exits 3 with a clear message while another run holds the lock, then runs once it is gone', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.xml'), config);
    expect((await runCli(dir, ['execute'])).code).toBe(0);
    // A second process holds the lock, as a slow cron run would, until it is killed.
    const script = `import { Store } from ${JSON.stringify(new URL('../../dist/src/store/store.js', import.meta.url).href)};
      import { acquireRunLock, currentHolder } from ${JSON.stringify(new URL('../../dist/src/store/run-lock.js', import.meta.url).href)};
      const store = Store.open(${JSON.stringify(join(dir, 'metrix.db'))});
      await store.acquireRunLock(currentHolder(), 0, { clock: Date.now, sleep: async () => {} });
      console.log('locked'); setInterval(() => {}, 1000);`;
    const other = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => other.stdout.once('data', resolve));

    const blocked = await runCli(dir, ['execute', '--wait', '500ms']);
    expect(blocked.code).toBe(3);
    expect(blocked.stderr).toMatch(new RegExp(`another metrix execute or run is polling this database \\(pid ${other.pid} on .*\\); waited 500ms, skipped this run`));
    expect(blocked.stdout).toBe('');

    other.kill('SIGKILL');
    await new Promise((resolve) => other.once('exit', resolve));
    const after = await runCli(dir, ['execute']);
    expect(after.code).toBe(0);
    expect(after.stderr).toMatch(new RegExp(`WARN the run of pid ${other.pid} on .* ended without releasing its lock \\(crashed or killed\\); took it over`));
    const store = Store.open(join(dir, 'metrix.db'), { readonly: true });
    expect(store.range({ host: 'localhost', metric: 'host_up', since: 0, until: Date.now() })[0]!.points).toHaveLength(2);
    store.close();
  });
});
