import { appendFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogSpec } from '../../client-script/src/checks-spec.js';
import { followLog, MAX_LINE_CHARS, MAX_READ_BYTES, type LogMemory } from '../../client-script/src/logs-follow.js';
import { LOGS_BUDGET_MS, runWatches } from '../../client-script/src/checks-watch.js';
import { tempDir } from '../helpers/tmp.js';

const deps = { now: () => 0, doneBy: Infinity };

/** A log and a follower that keeps its memory between polls, as the state file does. */
function watched(match = 'ERROR', following = deps): { path: string; poll: () => ReturnType<typeof followLog>['result'] } {
  const path = join(tempDir(), 'app.log');
  const log: LogSpec = { name: 'app', path, match, ignoreCase: false };
  let memory: LogMemory | undefined;
  return {
    path,
    poll: () => {
      const followed = followLog(log, memory, following);
      memory = followed.memory;
      return followed.result;
    },
  };
}

describe('following a log', () => {
  it('starts at the end at first sight, then counts the matching lines added since', () => {
    const w = watched();
    writeFileSync(w.path, 'ERROR old news\n');
    expect(w.poll()).toMatchObject({ matches: 0, lines: [], note: expect.stringMatching(/^first sight: following from the end \(15 bytes not read\)/) });
    appendFileSync(w.path, 'ERROR one\nfine\nERROR two\n');
    expect(w.poll()).toEqual({ name: 'app', matches: 2, lines: ['ERROR one', 'ERROR two'] });
    expect(w.poll()).toEqual({ name: 'app', matches: 0, lines: [] });
  });

  it('says so when the file is missing and picks it up once it exists', () => {
    const w = watched();
    expect(w.poll().note).toBe('no such file (yet)');
    writeFileSync(w.path, 'ERROR before first sight\n');
    expect(w.poll().matches).toBe(0);
    appendFileSync(w.path, 'ERROR after\n');
    expect(w.poll().matches).toBe(1);
  });

  it('leaves a partial last line for the next poll', () => {
    const w = watched();
    writeFileSync(w.path, '');
    w.poll();
    appendFileSync(w.path, 'ERROR whole\nERROR hal');
    expect(w.poll()).toMatchObject({ matches: 1, lines: ['ERROR whole'] });
    appendFileSync(w.path, 'f done\n');
    expect(w.poll()).toMatchObject({ matches: 1, lines: ['ERROR half done'] });
  });

  it('finishes the old file through its rotated name and reads the new one from its start (rotation by rename)', () => {
    const w = watched();
    writeFileSync(w.path, 'start\n');
    w.poll();
    appendFileSync(w.path, 'ERROR late in the old file\n');
    renameSync(w.path, `${w.path}.1`);
    writeFileSync(w.path, 'ERROR first in the new file\nok\n');
    const result = w.poll();
    expect(result).toMatchObject({ matches: 2, lines: ['ERROR late in the old file', 'ERROR first in the new file'] });
    expect(result.note).toMatch(/rotated \(renamed to .*app\.log\.1\)/);
    appendFileSync(w.path, 'ERROR next\n');
    expect(w.poll()).toEqual({ name: 'app', matches: 1, lines: ['ERROR next'] });
  });

  it('reads the new file from its start when the old one is not findable', () => {
    const w = watched();
    writeFileSync(w.path, 'start\n');
    w.poll();
    renameSync(w.path, `${w.path}-20261130`);
    writeFileSync(w.path, 'ERROR new\n');
    expect(w.poll()).toMatchObject({ matches: 1, note: expect.stringMatching(/old file was not found/) });
  });

  it('starts from 0 after copytruncate, whether the file is now shorter or already grew back past the old place', () => {
    const w = watched();
    writeFileSync(w.path, 'line one of the old content\nline two of the old content\n');
    w.poll();
    truncateSync(w.path, 0);
    appendFileSync(w.path, 'ERROR after truncate\n');
    expect(w.poll()).toMatchObject({ matches: 1, lines: ['ERROR after truncate'], note: expect.stringMatching(/truncated/) });
    // Truncated and refilled beyond the old offset before the next poll: the first bytes tell.
    truncateSync(w.path, 0);
    appendFileSync(w.path, `ERROR refilled ${'x'.repeat(100)}\n`);
    expect(w.poll()).toMatchObject({ matches: 1, note: expect.stringMatching(/truncated/) });
  });

  it('replaces invalid UTF-8 and cuts a 1 MB line, then goes on with the next lines', () => {
    const w = watched();
    writeFileSync(w.path, '');
    w.poll();
    appendFileSync(w.path, Buffer.concat([Buffer.from('ERROR bad bytes '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(' end\n')]));
    appendFileSync(w.path, `ERROR ${'y'.repeat(1024 * 1024)}\nERROR after the long one\n`);
    // The long line does not fit in this poll's 1 MB read: it waits for the next one.
    const first = w.poll();
    expect(first).toMatchObject({ matches: 1, lines: ['ERROR bad bytes \ufffd\ufffd\ufffd end'], note: expect.stringMatching(/read capped at 1048576 bytes/) });
    // It alone fills the next read: cut, counted once, and the rest of it skipped after.
    const second = w.poll();
    expect(second.matches).toBe(1);
    expect(second.lines[0]).toHaveLength(MAX_LINE_CHARS);
    expect(second.lines[0]).toMatch(/^ERROR y+…$/);
    expect(w.poll()).toEqual({ name: 'app', matches: 1, lines: ['ERROR after the long one'] });
  });

  it('reads at most 1 MB per poll and says how much is left', () => {
    const w = watched();
    writeFileSync(w.path, '');
    w.poll();
    const line = `ERROR ${'z'.repeat(94)}\n`;
    appendFileSync(w.path, line.repeat(15_000));
    const first = w.poll();
    expect(first.matches).toBe(Math.floor(MAX_READ_BYTES / line.length));
    expect(first.lines).toHaveLength(5);
    expect(first.note).toMatch(/read capped at 1048576 bytes: \d+ bytes left for the next poll/);
    const second = w.poll();
    expect(first.matches + second.matches).toBe(15_000);
    expect(second.note).toBeUndefined();
  });

  it('stops matching when its time is up and goes on from there at the next poll', () => {
    // A clock that moves 300 ms per look, one look before each line: the time is up after the second line.
    let now = 0;
    const w = watched('ERROR', { now: () => (now += 300), doneBy: 700 });
    writeFileSync(w.path, '');
    w.poll();
    appendFileSync(w.path, 'ERROR 1\nERROR 2\nERROR 3\nERROR 4\n');
    now = 0;
    expect(w.poll()).toMatchObject({ matches: 2, lines: ['ERROR 1', 'ERROR 2'], note: 'matching ran out of time: 16 bytes left for the next poll' });
    now = 0;
    expect(w.poll()).toMatchObject({ matches: 2, lines: ['ERROR 3', 'ERROR 4'] });
  });

  it('matches no line once the time is up: the time is looked at before each line, not after', () => {
    let now = 0;
    const w = watched('ERROR', { now: () => now, doneBy: 1000 });
    writeFileSync(w.path, '');
    w.poll();
    appendFileSync(w.path, 'ERROR 1\nERROR 2\n');
    now = 1001;
    expect(w.poll()).toMatchObject({ matches: 0, lines: [], note: 'matching ran out of time: 16 bytes left for the next poll' });
    now = 0;
    expect(w.poll()).toMatchObject({ matches: 2, lines: ['ERROR 1', 'ERROR 2'] });
  });

  it('opens no further log once the time for logs is spent, and reads them at the next poll', async () => {
    const dir = tempDir();
    const statePath = join(dir, 'state.json');
    const logs: LogSpec[] = [0, 1, 2].map((k) => ({ name: `l${k}`, path: join(dir, `l${k}.log`), match: 'ERROR', ignoreCase: false }));
    for (const log of logs) writeFileSync(log.path, '');
    let now = 0;
    await runWatches({ v: 1, checks: [], logs }, { statePath, now: () => now, doneBy: Infinity });
    for (const log of logs) appendFileSync(log.path, 'ERROR\n');
    // Each look at the clock takes LOGS_BUDGET_MS: the first log is read, the others not opened.
    const spent = await runWatches({ v: 1, checks: [], logs }, { statePath, now: () => (now += LOGS_BUDGET_MS), doneBy: Infinity });
    expect(spent.logs.map((l) => [l.name, l.matches, l.note])).toEqual([
      ['l0', 0, 'matching ran out of time: 6 bytes left for the next poll'],
      ['l1', 0, 'not read this poll: the time for logs ran out'],
      ['l2', 0, 'not read this poll: the time for logs ran out'],
    ]);
    expect(spent.errors.map((e) => e.message)).toContain(`l2: ${logs[2]!.path}: not read this poll: the time for logs ran out`);
    const next = await runWatches({ v: 1, checks: [], logs }, { statePath, now: () => now, doneBy: Infinity });
    expect(next.logs.map((l) => l.matches)).toEqual([1, 1, 1]);
  });

  it('warns the poll of a missing file and of lines left for the next poll, not of a first sight or a rotation', () => {
    const path = join(tempDir(), 'x.log');
    const log: LogSpec = { name: 'x', path, match: 'x', ignoreCase: false };
    expect(followLog(log, undefined, deps).warning).toBe(`${path}: no such file (yet)`);
    writeFileSync(path, 'x\n');
    const first = followLog(log, undefined, deps);
    expect(first.warning).toBeUndefined();
    appendFileSync(path, 'x'.repeat(2 * MAX_READ_BYTES));
    expect(followLog(log, first.memory, deps).warning).toMatch(/: read capped at 1048576 bytes: \d+ bytes left for the next poll$/);
  });
});
