import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckSpec } from '../../client-script/src/checks-spec.js';
import { isDue, runChecks, type CheckMemories } from '../../client-script/src/checks-run.js';
import { MAX_KEPT_BYTES, runPlugin } from '../../client-script/src/checks-process.js';
import { tempDir } from '../helpers/tmp.js';

const PLUGINS = '/usr/lib/nagios/plugins';
const pluginsMissing = !existsSync(`${PLUGINS}/check_dummy`);

const check = (name: string, command: string, over: Partial<CheckSpec> = {}): CheckSpec => ({ name, command, everyMs: 60_000, timeoutMs: 20_000, ...over });

/** Whether a process is still there (a zombie counts as gone: it holds nothing but its pid). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, ms = 20_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

describe.skipIf(pluginsMissing)('running checks (real monitoring-plugins)', () => {
  it('maps check_dummy 0/1/2/3 and an exit status of 7 to OK, WARNING, CRITICAL, UNKNOWN, UNKNOWN with the first line', async () => {
    const checks = [0, 1, 2, 3].map((n) => check(`d${n}`, `${PLUGINS}/check_dummy ${n} "text ${n}"`));
    checks.push(check('seven', 'echo "odd | x=1"; exit 7'));
    const { results } = await runChecks(checks, {}, { now: Date.now, doneBy: Infinity });
    expect(results.map((r) => [r.name, r.status, r.text, r.fresh])).toEqual([
      ['d0', 0, 'OK: text 0', true],
      ['d1', 1, 'WARNING: text 1', true],
      ['d2', 2, 'CRITICAL: text 2', true],
      ['d3', 3, 'UNKNOWN: text 3', true],
      ['seven', 3, 'exited with status 7: odd', true],
    ]);
    expect(results[4]!.perf).toEqual([{ label: 'x', value: 1 }]);
  }, 60_000);

  it('reads the perfdata of check_load and check_procs', async () => {
    const { results } = await runChecks(
      [check('load', `${PLUGINS}/check_load -w 500,500,500 -c 900,900,900`), check('procs', `${PLUGINS}/check_procs -w 100000 -c 200000`)],
      {},
      { now: Date.now, doneBy: Infinity },
    );
    expect(results[0]).toMatchObject({ status: 0, text: expect.stringMatching(/^LOAD OK/) });
    expect(results[0]!.perf.map((p) => p.label)).toEqual(['load1', 'load5', 'load15']);
    expect(results[1]).toMatchObject({ status: 0, text: expect.stringMatching(/^PROCS OK/) });
    expect(results[1]!.perf[0]).toMatchObject({ label: 'procs', value: expect.any(Number) });
  }, 60_000);

  it('gives a hung plugin UNKNOWN with the reason, kills what it started, and still reports the others', async () => {
    const dir = tempDir();
    const pids = join(dir, 'pids');
    // The plugin forks a child that would outlive it, then hangs itself.
    const hang = check('hang', `sleep 300 & echo $! > ${pids}; echo $$ >> ${pids}; sleep 300`, { timeoutMs: 1000 });
    const { results } = await runChecks([hang, check('ok', `${PLUGINS}/check_dummy 0 fine`)], {}, { now: Date.now, doneBy: Infinity });
    expect(results[0]).toMatchObject({ name: 'hang', status: 3, text: 'timed out after 1s', perf: [] });
    expect(results[1]).toMatchObject({ name: 'ok', status: 0 });
    const started = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(started).toHaveLength(2);
    expect(await until(() => started.every((pid) => !alive(pid)))).toBe(true);
  }, 60_000);

  it('keeps the first 64 KB of a plugin that prints 10 MB, and still reads its status', async () => {
    const dir = tempDir();
    const script = join(dir, 'chatty');
    writeFileSync(script, `#!/bin/sh\necho "OK: chatty | size=10MB"\nhead -c 10485760 /dev/zero | tr '\\0' 'x'\nexit 1\n`, { mode: 0o755 });
    const { results } = await runChecks([check('chatty', script)], {}, { now: Date.now, doneBy: Infinity });
    expect(results[0]).toMatchObject({ status: 1, text: `OK: chatty (output cut at ${MAX_KEPT_BYTES} bytes)`, perf: [{ label: 'size', value: 10 * 1024 * 1024 }] });
    // What is held is the first 64 KB; the other 10 MB were read and dropped as they came.
    const run = await runPlugin(script, 20_000);
    expect(Buffer.byteLength(run.stdout)).toBe(MAX_KEPT_BYTES);
    expect(run.droppedBytes).toBe(10 * 1024 * 1024 + 'OK: chatty | size=10MB\n'.length - MAX_KEPT_BYTES);
  }, 60_000);

  it("marks a check UNKNOWN when the poll's deadline comes before its timeout, and one with no time left as not run", async () => {
    let now = 1_000_000;
    const slow = check('slow', 'sleep 300', { timeoutMs: 60_000 });
    const late = await runChecks([slow], {}, { now: () => now, doneBy: now + 1000 });
    expect(late.results[0]).toMatchObject({ status: 3, text: "stopped after 1s: the poll's deadline came first" });
    now += 100_000;
    const none = await runChecks([check('other', 'true')], {}, { now: () => now, doneBy: now + 100 });
    expect(none.results[0]).toMatchObject({ status: 3, text: "not run: no time left before the poll's deadline" });
  }, 60_000);
});

describe('when a check is due', () => {
  const c = check('c', 'true', { everyMs: 300_000 });
  const memory = (at: number, command = 'true') => ({ id: `${command}\u0000${c.timeoutMs}`, at, status: 0, text: 'OK', perf: [] });

  it.each([
    ['never ran', undefined, 0, true],
    ['ran just now', memory(1000), 1000 + 60_000, false],
    ['every is up', memory(1000), 1000 + 300_000, true],
    ['a poll a moment early (5% slack)', memory(1000), 1000 + 290_000, true],
    ['too early', memory(1000), 1000 + 280_000, false],
    ['the host clock went back', memory(10_000), 5_000, true],
    ['its command changed', memory(1000, 'false'), 2000, true],
  ])('%s', (_, remembered, now, due) => {
    expect(isDue(c, remembered, now)).toBe(due);
  });

  it('reports the last result again, not fresh, between runs, and forgets checks no longer asked for', async () => {
    let now = 5_000_000;
    const run = async (): Promise<{ code: number | undefined; signal: undefined; timedOut: false; startError: undefined; stdout: string; stderr: string; droppedBytes: 0 }> => ({
      code: 2, signal: undefined, timedOut: false, startError: undefined, stdout: `CRITICAL at ${now}\n`, stderr: '', droppedBytes: 0,
    });
    const first = await runChecks([c], { gone: memory(1) } as CheckMemories, { now: () => now, doneBy: Infinity, run });
    expect(first.results).toEqual([{ name: 'c', status: 2, text: 'CRITICAL at 5000000', perf: [], ranAt: 5_000_000, fresh: true }]);
    expect(Object.keys(first.memories)).toEqual(['c']);
    now += 60_000;
    const second = await runChecks([c], first.memories, { now: () => now, doneBy: Infinity, run });
    expect(second.results).toEqual([{ name: 'c', status: 2, text: 'CRITICAL at 5000000', perf: [], ranAt: 5_000_000, fresh: false }]);
  });
});

describe('a check the poll had no time for', () => {
  const hourly = check('hourly', 'probe', { everyMs: 3_600_000, timeoutMs: 30_000 });
  const remembered = (at: number): CheckMemories => ({ hourly: { id: `probe\u0000${hourly.timeoutMs}`, at, status: 0, text: 'OK: was fine', perf: [] } }) as CheckMemories;
  const ok = async () => ({ code: 0, signal: undefined, timedOut: false, startError: undefined, stdout: 'OK: fine now\n', stderr: '', droppedBytes: 0 });
  const cutShort = async () => ({ code: undefined, signal: 'SIGKILL', timedOut: true, startError: undefined, stdout: '', stderr: '', droppedBytes: 0 });

  it('with no time left: reports its last result again and runs at the next poll, not an hour later', async () => {
    let now = 10_000_000;
    const starved = await runChecks([hourly], remembered(now - 3_600_000), { now: () => now, doneBy: now + 100, run: ok });
    expect(starved.results).toEqual([{ name: 'hourly', status: 0, text: 'OK: was fine', perf: [], ranAt: now - 3_600_000, fresh: false }]);
    now += 60_000;
    const next = await runChecks([hourly], starved.memories, { now: () => now, doneBy: Infinity, run: ok });
    expect(next.results[0]).toMatchObject({ status: 0, text: 'OK: fine now', ranAt: now, fresh: true });
  });

  it("cut short by the poll's deadline: not remembered as UNKNOWN, due again at the next poll", async () => {
    let now = 20_000_000;
    const cut = await runChecks([hourly], remembered(now - 3_600_000), { now: () => now, doneBy: now + 2000, run: cutShort });
    expect(cut.results[0]).toMatchObject({ status: 0, text: 'OK: was fine', fresh: false });
    now += 60_000;
    const next = await runChecks([hourly], cut.memories, { now: () => now, doneBy: Infinity, run: ok });
    expect(next.results[0]).toMatchObject({ status: 0, text: 'OK: fine now', fresh: true });
  });

  it('that never ran: UNKNOWN with the reason for this poll only', async () => {
    let now = 30_000_000;
    const starved = await runChecks([hourly], {}, { now: () => now, doneBy: now + 100, run: ok });
    expect(starved.results[0]).toMatchObject({ status: 3, text: "not run: no time left before the poll's deadline" });
    expect(Object.keys(starved.memories)).toEqual([]);
    now += 60_000;
    const next = await runChecks([hourly], starved.memories, { now: () => now, doneBy: Infinity, run: ok });
    expect(next.results[0]).toMatchObject({ status: 0, fresh: true });
  });

  it('its own timeout is its result, kept for its interval', async () => {
    const now = 40_000_000;
    const timedOut = await runChecks([hourly], {}, { now: () => now, doneBy: Infinity, run: cutShort });
    expect(timedOut.results[0]).toMatchObject({ status: 3, text: 'timed out after 30s', fresh: true });
    expect(timedOut.memories.hourly).toMatchObject({ status: 3, at: now });
  });
});
