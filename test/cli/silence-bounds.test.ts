import Database from 'better-sqlite3';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';

/** Silences are bounded when added, and a date stored before they were never crashes a reader. */
const NOW = Date.UTC(2026, 10, 22, 4, 0, 0);
const clock = (): number => NOW;

function project(): string {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'config.xml'),
    `<metrix>
  <hosts><host name="localhost" transport="local"/></hosts>
  <mail transport="file" dir="outbox"/>
  <alerts><alert name="mem-any" metric="mem_percent" op="&gt;" value="0"/></alerts>
</metrix>`,
  );
  return dir;
}

const add = (dir: string, ...args: string[]) => runCli(dir, ['silence', 'add', '-h', 'localhost', '--comment', 'maintenance', ...args], clock);

describe('silence durations are bounded', () => {
  it.each([
    [['--for', '999999999w'], /^metrix: --for "999999999w": out of range \(allowed: 1m\.\.365d\); a silence lasts at most 365d\n/],
    [['--for', '366d'], /--for "366d": out of range \(allowed: 1m\.\.365d\); a silence lasts at most 365d/],
    [['--for', 'forever'], /--for "forever": not a duration \(expected a number with a unit/],
    [['--until', '2099-01-01'], /--until "2099-01-01": more than 365d ahead; a silence lasts at most 365d/],
  ])('silence add %j: exit 2, nothing stored', async (args, message) => {
    const dir = project();
    const run = await add(dir, ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'metrix.db'))).toBe(false);
  });

  it('accepts a year exactly', async () => {
    const run = await add(project(), '--for', '365d');
    expect(run).toMatchObject({ code: 0, stdout: 'silence #1 until 2027-11-22T04:00:00Z: host localhost\n' });
  });
});

describe('a silence stored with an out-of-range date', () => {
  it('is listed as never ending, and execute plans around it without crashing', async () => {
    const dir = project();
    expect((await add(dir, '--for', '2h')).code).toBe(0);
    const db = new Database(join(dir, 'metrix.db'));
    // What `--for 999999999w` stored before silences were bounded: far past what a Date can hold.
    db.prepare('UPDATE silences SET ends_at = ? WHERE id = 1').run(999_999_999 * 7 * 86_400_000);
    db.close();

    const list = await runCli(dir, ['silence', 'list'], clock);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^1\s+localhost\s+\*\s+2026-11-22T04:00:00Z\s+never\s+/m);
    expect((await runCli(dir, ['silence', 'list', '--format', 'csv'], clock)).stdout).toContain(',2026-11-22T04:00:00Z,never,');

    const run = await runCli(dir, ['execute'], clock);
    expect(run.stderr).not.toMatch(/RangeError|internal error/);
    expect(run.code).toBe(0);
    const firing = await runCli(dir, ['alerts', '--firing'], clock);
    expect(firing.stdout).toMatch(/mem-any\s+mem_percent\s+firing.*silenced by #1 until never \(maintenance\)/);
  });
});
