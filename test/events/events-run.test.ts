import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';
import { startRun, storedPolls } from '../run/harness.js';
import { writeConfig } from './project.js';

/**
 * `metrix run` records events through the same store as execute. Its clock skips the waits
 * between cycles (test/run/harness.ts): with --every 1d the second cycle is a day later on the
 * poller's clock while the host's real uptime grew by seconds, so its boot time moved a day.
 */
describe('events from metrix run', () => {
  it('a cycle a day later with the uptime seconds longer records a reboot, through the resident collector', async () => {
    const dir = tempDir();
    writeConfig(dir, [['a', 'compute']]);
    const run = startRun(dir, ['--every', '1d']);
    try {
      await run.waitForCycle(2);
    } finally {
      run.signal('SIGTERM');
      run.signal('SIGTERM');
    }
    expect(await run.done).toBe(0);
    const listed = await runCli(dir, ['events', '--json', '--since', '30d'], run.clock);
    expect(listed.code, listed.stderr).toBe(0);
    const events = JSON.parse(listed.stdout) as Array<{ host: string; kind: string }>;
    // One reboot per cycle after the first (a third may have started before the SIGTERM landed).
    const { polls, ok } = storedPolls(dir).byHost['a']!;
    expect(ok).toBe(polls);
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(events.filter((e) => e.host === 'a').map((e) => e.kind)).toEqual(Array.from({ length: polls - 1 }, () => 'reboot'));
  });
});
