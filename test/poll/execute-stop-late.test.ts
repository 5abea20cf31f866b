import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StopSignal } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { Store } from '../../src/store/store.js';
import { stoppableIo } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * A signal that comes after the hosts are polled and stored, before alerts and mail: the run
 * still stops (exit 143), mails nothing, and keeps what it stored. The signal is sent by the
 * test's Io at the moment execute logs that its samples are stored.
 */
describe('metrix execute, stopped after its hosts are stored', () => {
  it('skips alerts and mail and exits 143; the samples stay stored and the lock is free', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'config.xml'),
      `<metrix><hosts><host name="localhost" transport="local"/></hosts>
        <alerts><alert name="always" metric="host_up" op="&gt;=" value="0"/></alerts></metrix>`,
    );
    let unsubscribed = false;
    const { io: base, stderr } = stoppableIo(dir, (text) => text.includes('INFO stored '));
    // Execute must let go of its signal handler when it ends.
    const io = {
      ...base,
      onStop: (handler: (signal: StopSignal) => void) => {
        const off = base.onStop!(handler);
        return () => {
          unsubscribed = true;
          off();
        };
      },
    };
    const code = await main(['node', 'metrix', 'execute'], io);
    const err = stderr();
    expect(err).toMatch(/WARN SIGTERM: the hosts are done; stopping at the end of this run/);
    expect(err).toMatch(/WARN stopped by SIGTERM: every host had finished; alerts and mail wait for the next run/);
    expect(code).toBe(143);
    const db = new Database(join(dir, 'metrix.db'), { readonly: true });
    const alerts = db.prepare('SELECT COUNT(*) AS n FROM alerts').get() as { n: number };
    const locks = db.prepare('SELECT COUNT(*) AS n FROM run_lock').get() as { n: number };
    db.close();
    const store = Store.open(join(dir, 'metrix.db'), { readonly: true });
    const up = { n: store.range({ host: 'localhost', metric: 'host_up', since: 0, until: Date.now() + 86_400_000 }).flatMap((s) => s.points).length };
    store.close();
    expect({ up: up.n, alerts: alerts.n, locks: locks.n }).toEqual({ up: 1, alerts: 0, locks: 0 });
    expect(unsubscribed).toBe(true);
  });
});
