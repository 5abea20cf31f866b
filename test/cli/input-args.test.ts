import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';

const CONFIG = '<metrix><hosts><host name="me" transport="local"/></hosts></metrix>';
const QUERY = ['query', '-h', 'me', '-m', 'cpu_percent'];

// Issue #7 items 13 and 14: dates and durations on the command line. Each is a usage error
// (exit 2, one message, no stack) before any database or host is touched.
describe('command-line times and durations', () => {
  it.each([
    [[...QUERY, '--since', '2026-02-30'], 'metrix: --since "2026-02-30": day 30 does not exist: February 2026 has 28 days\n'],
    [[...QUERY, '--until', '2026-11-31T10:00'], 'metrix: --until "2026-11-31T10:00": day 31 does not exist: November 2026 has 30 days\n'],
    [[...QUERY, '--since', '999999999w'], 'metrix: --since "999999999w": too far back (at most 36500d)\n'],
    [[...QUERY, '--step', '0s'], 'metrix: --step "0s": must be longer than 0 (allowed: 1s..365d)\n'],
    [[...QUERY, '--step', '99999w'], 'metrix: --step "99999w": out of range (allowed: 1s..365d)\n'],
    [['alerts', '--since', '2026-02-29'], 'metrix: --since "2026-02-29": expected "now", a number with a unit: 250ms, 30s, 5m, 2h, 7d, 1w (meaning that long ago), or an ISO date/time such as 2026-11-21T18:00 (UTC unless a zone is given)\n'],
    [['execute', '--wait', '999999999w'], 'metrix: --wait "999999999w": out of range (allowed: 0..1h)\n'],
    [['execute', '--wait', 'soon'], 'metrix: --wait "soon": not a duration (expected a number with a unit: 250ms, 30s, 5m, 2h, 7d, 1w)\n'],
  ])('metrix %j', async (args, message) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.xml'), CONFIG);
    const run = await runCli(dir, args);
    expect(run.stderr).toBe(message);
    expect(run.code).toBe(2);
  });

  it('config check refuses a commandTimeout past Node\'s timer', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.xml'), CONFIG.replace('<hosts>', '<settings commandTimeout="25d"/><hosts>'));
    const run = await runCli(dir, ['config', 'check']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`metrix: ${join(dir, 'config.xml')}: 1 problem in config\n  <settings> commandTimeout="25d": out of range (allowed: 1s..1h)\n`);
  });
});

describe('host and group names on the command line', () => {
  it('are shown back escaped and cut short when unknown', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.xml'), CONFIG);
    const run = await runCli(dir, ['upload', '-h', `x\u001b[2J\n2026-01-01 INFO ok${'y'.repeat(500)}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`metrix: unknown host "x\\x1b[2J\\n2026-01-01 INFO ok${'y'.repeat(36)}... (524 characters)" (hosts in ${join(dir, 'config.xml')}: me)\n`);
  });
});
