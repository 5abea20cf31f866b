import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/poll/collector-bundle.js';
import { Store } from '../../src/store/store.js';
import { writeFarmConfig, type FarmHost } from '../farm/config.js';
import { startFarm, type Farm } from '../farm/farm.js';
import { killQuietly } from '../farm/processes.js';
import { sshdMissing, type SshdServer } from '../farm/sshd.js';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';
import { residentPids, startRun, storedPolls } from './harness.js';

/**
 * `metrix run` over real sshd: resident collectors on exec channels of kept connections, and
 * what a site's week does to them — a collector killed, sshd restarted, a node reinstalled
 * with new host keys, a host that hangs mid-answer, SIGTERM in the middle of a cycle.
 */
let farm: Farm;
let servers: SshdServer[];

beforeAll(async () => {
  farm = await startFarm({ servers: 2 });
  servers = [...farm.servers];
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.slice(1).map((server) => server.stop()));
  await farm?.stop();
});

/**
 * A collector that takes each request and answers half a line, then nothing: a host that hangs
 * mid-answer. It notes each request in `asked` (so a test can act while a cycle waits on it)
 * and ends with its stdin, as a real collector does.
 */
const HANGING_COLLECTOR = `
const fs = require('fs');
const path = require('path');
process.stdin.on('data', () => {
  fs.appendFileSync(path.join(__dirname, 'asked'), 'x');
  process.stdout.write('metrix-sealed-v1 AAAA');
});
process.stdin.on('end', () => process.exit(0));
`;

function setUp(hosts: readonly FarmHost[], hanging: readonly string[] = []): Promise<string> {
  const dir = tempDir();
  writeFarmConfig(farm, dir, hosts, 'connectTimeout="3s" commandTimeout="3s" concurrency="10"');
  const config = readFileSync(join(dir, 'config.xml'), 'utf8').replace(
    '</metrix>',
    `  <mail transport="file" dir="outbox" from="metrix@localhost" to="root@localhost"/>
  <alerts><alert name="host-down" metric="host_up" op="==" value="0" severity="critical"/></alerts>
</metrix>`,
  );
  writeFileSync(join(dir, 'config.xml'), config);
  return runCli(dir, ['upload']).then((upload) => {
    expect(upload.code).toBe(0);
    for (const name of hanging) writeFileSync(join(dir, 'remote', name, 'metrix-collector.js'), HANGING_COLLECTOR);
    return dir;
  });
}

const lastCycleLine = (stderr: string): string => stderr.split('\n').filter((line) => / INFO cycle \d+: /.test(line)).at(-1) ?? '';
const cyclesSoFar = (stderr: string): number => stderr.split('\n').filter((line) => / INFO cycle \d+: /.test(line)).length;

describe.skipIf(sshdMissing() !== undefined)('metrix run over sshd', () => {
  it('keeps polling through a killed collector, an sshd restart, new host keys and a hung host', async () => {
    const a = servers[0]!.port;
    const hosts = [{ name: 'a1', port: a }, { name: 'a2', port: a }, { name: 'b1', port: servers[1]!.port }, { name: 'b2', port: servers[1]!.port }, { name: 'hang', port: a }];
    const dir = await setUp(hosts, ['hang']);
    const run = startRun(dir, ['--every', '10s']);
    const remote = (name: string): string => join(dir, 'remote', name, 'metrix-collector.js');
    try {
      await run.waitForCycle(2);
      expect(lastCycleLine(run.stderr())).toMatch(/5 hosts in .*: 4 ok, 1 failed \(command-timeout 1\)/);
      expect(run.stderr()).toMatch(/WARN \[hang\] down: command-timeout: resident collector did not answer within 3000 ms; stopped/);
      const a1 = residentPids(remote('a1'));
      expect(a1).toHaveLength(1);
      await run.waitForCycle(4);
      // Warm: the same collector process answered cycles 2 to 4.
      expect(residentPids(remote('a1'))).toEqual(a1);

      // kill -9 the resident collector: a new one answers from the next cycle on.
      killQuietly(a1[0]!, 'SIGKILL');
      let seen = cyclesSoFar(run.stderr());
      await run.waitForCycle(seen + 2);
      const successor = residentPids(remote('a1'));
      expect(successor).toHaveLength(1);
      expect(successor[0]).not.toBe(a1[0]);
      expect(lastCycleLine(run.stderr())).toMatch(/: 4 ok, 1 failed/);

      // sshd restarted (same keys): its hosts' residents and connections are gone; they are dialed
      // again (at once, or after a backoff if a cycle saw the port closed) and answer again.
      const b1 = residentPids(remote('b1'));
      let mark = run.mark();
      servers[1] = await servers[1]!.restart();
      await run.waitForAfter(mark, /INFO cycle \d+: 5 hosts in .*: 4 ok, 1 failed/);
      const b1After = residentPids(remote('b1'));
      expect(b1After).toHaveLength(1);
      expect(b1After).not.toEqual(b1);

      // The node behind sshd 1 reinstalled, with new host keys: refused, alerted, the others go on.
      mark = run.mark();
      servers[1] = await servers[1]!.restart(true);
      await run.waitForAfter(mark, /WARN \[b1\] down: host-key: /);
      await run.waitForAfter(mark, /WARN \[b1\] alert \S+ host-down firing/);
      seen = cyclesSoFar(run.stderr());
      await run.waitForCycle(seen + 1);
      expect(lastCycleLine(run.stderr())).toMatch(/: 2 ok, 3 failed \((host-key 2, command-timeout 1|command-timeout 1, host-key 2)\)/);
      expect(residentPids(remote('b1'))).toEqual([]);
      expect(residentPids(remote('a2'))).toHaveLength(1);
    } finally {
      run.signal('SIGTERM');
    }
    expect(await run.done).toBe(0);
    const stored = storedPolls(dir);
    expect(stored.inconsistentRuns).toBe(0);
    expect(stored.locks).toBe(0);
    expect(stored.byHost['a2']!.ok).toBe(stored.byHost['a2']!.polls);
    expect(stored.byHost['hang']!.ok).toBe(0);
    expect(existsSync(join(dir, 'outbox'))).toBe(true);
  }, 120_000);

  it('fails each hostile resident alone with its reason, and keeps every other host polled', async () => {
    // Collectors that misbehave on the resident channel, each in its own way.
    const HOSTILE: Record<string, { script: string; reason: RegExp }> = {
      // Output ahead of the first request reads as its (unsealed) answer; later, as unasked output.
      early: { script: "process.stdout.write('hello\\n'); process.stdin.resume();", reason: /bad-output: (resident collector printed without being asked|not sealed metrix output: .hello.)/ },
      twice: { script: "process.stdin.on('data', () => process.stdout.write('metrix-sealed-v1 a b\\nmetrix-sealed-v1 c d\\n'));", reason: /bad-output: resident collector printed more than one line/ },
      flood: { script: "process.stdin.on('data', () => process.stdout.write(Buffer.alloc(3 * 1024 * 1024, 65)));", reason: /output-too-large: resident collector printed more than 1048576 bytes/ },
      junk: { script: "process.stdin.on('data', () => process.stdout.write(Buffer.concat([require('crypto').randomBytes(300).map((b) => (b === 10 ? 11 : b)), Buffer.from('\\n')])));", reason: /bad-output: / },
      noisy: { script: "process.stderr.write('x'.repeat(200000) + '\\x1b[31m last words', () => process.exit(9));", reason: /collector-failed: collector on noisy exited with status 9: x+\\x1b\[31m last words/ },
    };
    const port = servers[0]!.port;
    const names = Object.keys(HOSTILE);
    const dir = await setUp([{ name: 'good', port }, ...names.map((name) => ({ name, port }))]);
    for (const [name, { script }] of Object.entries(HOSTILE)) writeFileSync(join(dir, 'remote', name, 'metrix-collector.js'), script);
    const run = startRun(dir, ['--every', '10s']);
    try {
      await run.waitForCycle(3);
      for (const [name, { reason }] of Object.entries(HOSTILE)) expect(run.stderr()).toMatch(new RegExp(`WARN \\[${name}\\] down: ${reason.source}`));
      // The poller's log stays one line per event: the 200 KB of stderr came back as a capped tail.
      expect(Math.max(...run.stderr().split('\n').map((line) => line.length))).toBeLessThan(6000);
    } finally {
      run.signal('SIGTERM');
    }
    expect(await run.done).toBe(0);
    const stored = storedPolls(dir);
    expect(stored.byHost['good']!.ok).toBe(stored.byHost['good']!.polls);
    expect(stored.byHost['good']!.polls).toBeGreaterThanOrEqual(3);
    for (const name of names) expect(stored.byHost[name]!.ok).toBe(0);
  }, 60_000);

  it('takes a new collector (an upload under a live run) at the next poll, without a failed poll', async () => {
    const port = servers[0]!.port;
    const dir = await setUp([{ name: 'a1', port }, { name: 'a2', port }]);
    const run = startRun(dir, ['--every', '10s']);
    const collector = join(dir, 'remote', 'a1', 'metrix-collector.js');
    try {
      await run.waitForCycle(2);
      const before = residentPids(collector);
      expect(before).toHaveLength(1);
      // What upload does: a new file written beside, then renamed into place.
      copyFileSync(collector, `${collector}.new`);
      renameSync(`${collector}.new`, collector);
      const mark = run.mark();
      await run.waitForAfter(mark, /INFO cycle \d+: /);
      await run.waitForAfter(mark, /INFO cycle \d+: [\s\S]*INFO cycle \d+: /);
      const after = residentPids(collector);
      expect(after).toHaveLength(1);
      expect(after).not.toEqual(before);
    } finally {
      run.signal('SIGTERM');
    }
    expect(await run.done).toBe(0);
    const stored = storedPolls(dir);
    expect(stored.byHost['a1']!.ok).toBe(stored.byHost['a1']!.polls);
  }, 60_000);

  it('logs and counts a cycle that runs past the next start', async () => {
    const dir = await setUp([{ name: 'a1', port: servers[0]!.port }, { name: 'hang', port: servers[0]!.port }], ['hang']);
    const run = start1s(dir);
    await run.waitFor(/WARN cycle \d+ ran past the next start \(it took \d+\.\ds, --every is 1s\): \d+ start\(s\) skipped, 1 overrun\(s\) so far/);
    run.signal('SIGTERM');
    expect(await run.done).toBe(0);
    const store = Store.open(join(dir, 'metrix.db'), { readonly: true });
    const overruns = Math.max(...store.range({ host: '(metrix)', metric: 'metrix_cycle_overruns', since: 0, until: Date.now() + 86_400_000 }).flatMap((s) => s.points.map((p) => p.value)));
    store.close();
    expect(overruns).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('finishes the cycle under way on SIGTERM, stores it whole and exits 0', async () => {
    const dir = await setUp([{ name: 'a1', port: servers[0]!.port }, { name: 'a2', port: servers[0]!.port }, { name: 'hang', port: servers[0]!.port }], ['hang']);
    const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'metrix.js'), 'run', '--every', '1s'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // The second time the hung host is asked, a cycle is waiting on it: stop then.
      const asked = join(dir, 'remote', 'hang', 'asked');
      while (!(existsSync(asked) && readFileSync(asked, 'utf8').length >= 2)) {
        if (child.exitCode !== null) throw new Error(`run ended early: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    expect(stderr).toMatch(/INFO SIGTERM: finishing this cycle, then exiting/);
    // The cycle the signal came in was polled to its end (the hung host's timeout included), not dropped.
    expect(stderr.slice(stderr.indexOf('SIGTERM: finishing'))).toMatch(/INFO cycle \d+: 3 hosts in .*: 2 ok, 1 failed \(command-timeout 1\)/);
    const stored = storedPolls(dir);
    // Every cycle logged is stored whole, the interrupted one included (hang timed out in it).
    expect(stored.runs).toBe(cyclesSoFar(stderr));
    expect(stored.inconsistentRuns).toBe(0);
    expect(stored.byHost['hang']!.polls).toBe(stored.runs);
    expect(stored.byHost['a1']!.ok).toBe(stored.runs);
    expect(stored.locks).toBe(0);
    expect(residentPids(join(dir, 'remote'))).toEqual([]);
  }, 60_000);
});

function start1s(dir: string): ReturnType<typeof startRun> {
  return startRun(dir, ['--every', '1s']);
}
