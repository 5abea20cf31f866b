import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Store } from '../../src/store/store.js';
import { captureIo } from '../helpers/io.js';
import { giveToUnprivileged, runNodeUnprivileged } from '../helpers/unprivileged.js';
import { tempDir } from '../helpers/tmp.js';
import { project } from '../serve/harness.js';

const mode = (file: string): number => statSync(file).mode & 0o777;

describe('the database holds password hashes: only its owner may read it', () => {
  it('a new database and its -wal and -shm are 0600 whatever the umask; another user cannot read them', async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    giveToUnprivileged(dir);
    const db = join(dir, 'metrix.db');
    const old = process.umask(0o022);
    let store: Store;
    try {
      store = Store.open(db);
    } finally {
      process.umask(old);
    }
    try {
      store.writeSamples('me', Date.now(), [{ m: 'cpu_percent', v: 1 }]);
      const files = readdirSync(dir).sort();
      expect(files).toEqual(['metrix.db', 'metrix.db-shm', 'metrix.db-wal']);
      for (const file of files) expect([file, mode(join(dir, file))]).toEqual([file, 0o600]);
      const read = await runNodeUnprivileged(['-e', `require('fs').readFileSync(${JSON.stringify(db)})`], dir);
      expect(read.code).not.toBe(0);
      expect(read.stderr).toMatch(/EACCES/);
    } finally {
      store.close();
    }
  });

  it('metrix user add takes other users\' permissions from a database an older metrix left readable, and says so', async () => {
    const p = project();
    chmodSync(p.database, 0o644);
    const io = { ...captureIo(p.dir), readSecret: async () => 'correct horse battery' };
    expect(await main(['node', 'metrix', 'user', 'add', 'alice', '--role', 'admin'], io)).toBe(0);
    expect(io.stdout()).toBe('user alice added (admin)\n');
    expect(io.stderr()).toBe(`metrix: note: ${p.database} was readable by every user (0644); it holds password hashes: now 0640\n`);
    expect(mode(p.database)).toBe(0o640);
    const again = { ...captureIo(p.dir), readSecret: async () => 'another good one' };
    expect(await main(['node', 'metrix', 'user', 'add', 'alice', '--role', 'admin'], again)).toBe(0);
    expect(again.stderr()).toBe('');
  });
});
