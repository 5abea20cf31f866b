import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { startRun, type RunHandle } from '../run/harness.js';
import { tempDir } from '../helpers/tmp.js';

/** `metrix run`: the resident collector gets the spec in each request line and runs checks and logs too. */
const PLUGINS = '/usr/lib/nagios/plugins';

const runs: RunHandle[] = [];
afterEach(async () => {
  for (const handle of runs.splice(0)) {
    handle.signal('SIGTERM');
    handle.signal('SIGTERM');
    await handle.done.catch(() => undefined);
  }
});

function writeConfig(dir: string, dummy: string, log: string): void {
  writeFileSync(
    join(dir, 'config.xml'),
    `<metrix>
  <settings database="metrix.db" keys="keys" commandTimeout="20s"/>
  <hosts><host name="a" transport="local"/></hosts>
  <mail transport="file" dir="outbox" from="metrix@localhost" to="root@localhost"/>
  <checks><check name="dummy" command="${PLUGINS}/check_dummy ${dummy}" every="1h"/></checks>
  <logs><log name="app" path="${log}" match="ERROR"/></logs>
</metrix>
`,
  );
}

/** Every stored value of a metric, oldest first, per label value. */
function stored(dir: string, metric: string): Record<string, number[]> {
  const store = Store.open(join(dir, 'metrix.db'));
  try {
    const values: Record<string, number[]> = {};
    for (const series of store.range({ host: 'a', metric, since: 0, until: Number.MAX_SAFE_INTEGER })) {
      values[Object.values(series.labels).join(',')] = series.points.map((p) => p.value);
    }
    return values;
  } finally {
    store.close();
  }
}

describe.skipIf(!existsSync(`${PLUGINS}/check_dummy`))('checks and logs under metrix run', () => {
  it('runs them in the resident collector, counts lines added between cycles, and takes a changed command at the next cycle after a reload', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, 'start\n');
    writeConfig(dir, '2 down', log);
    const run = startRun(dir, ['--every', '10s']);
    runs.push(run);
    await run.waitForCycle(1);
    appendFileSync(log, 'ERROR one\nok\nERROR two\n');
    await run.waitForCycle(3);
    const matches = stored(dir, 'log_matches')['app']!;
    expect(matches.reduce((a, b) => a + b, 0)).toBe(2);
    // every="1h": it ran once, and every cycle since reports that result again.
    expect(stored(dir, 'check_status')['dummy']).toEqual([2, 2, 2]);

    writeConfig(dir, '0 up', log);
    run.hangup();
    await run.waitFor(/config\.xml reloaded/);
    const mark = run.mark();
    await run.waitForAfter(mark, / INFO cycle \d+: /);
    expect(stored(dir, 'check_status')['dummy']!.at(-1)).toBe(0);
    expect(readFileSync(join(dir, 'keys', 'hosts', 'a.state.json'), 'utf8')).toMatch(/"text": "OK: up"/);
  }, 120_000);
});
