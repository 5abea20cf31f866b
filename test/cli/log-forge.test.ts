import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAKE_COLLECTORS } from '../farm/collectors.js';
import { writeFarmConfig } from '../farm/config.js';
import { sshdMissing } from '../farm/sshd.js';
import { runCli } from '../helpers/io.js';
import { useFarm } from '../helpers/farm-hooks.js';
import { tempDir } from '../helpers/tmp.js';

/** A host's stderr is shown in the log; whatever it holds, it stays on that host's one line. */
const farm = useFarm();

describe.skipIf(sshdMissing() !== undefined)('remote text in the log', () => {
  it('escapes a forged log line and terminal escapes from a collector\'s stderr', async () => {
    const dir = tempDir();
    const port = farm().servers[0]!.port;
    writeFarmConfig(farm(), dir, [{ name: 'forger', port }, { name: 'h2', port }], 'connectTimeout="5s" commandTimeout="10s"');
    expect((await runCli(dir, ['upload'])).code).toBe(0);
    writeFileSync(join(dir, 'remote', 'forger', 'metrix-collector.js'), FAKE_COLLECTORS.forge);

    const run = await runCli(dir, ['execute']);
    expect(run.code).toBe(1);
    const lines = run.stderr.split('\n').filter(Boolean);
    const forger = lines.filter((line) => line.includes('forger'));
    expect(forger).toHaveLength(1);
    expect(forger[0]).toMatch(/^\S+ ERROR \[forger\] collector-failed after [\d.]+s: collector on forger exited with status 3: /);
    expect(forger[0]).toContain(
      'metrix-collector: oops\\n2026-11-22T04:00:00.000Z INFO [h2] ok in 0.10s: 40 samples saved\\n\\x1b[2J\\x1b]0;pwned\\x07\\rdone\\u202e',
    );
    // Only the real h2 line speaks for h2, and nothing reaches the terminal as a control character.
    expect(lines.filter((line) => /^\S+ \w+ \[h2\]/.test(line))).toEqual([expect.stringMatching(/^\S+ INFO \[h2\] ok in /)]);
    expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  }, 60_000);
});
