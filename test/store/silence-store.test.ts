import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/database.js';
import { EventStore } from '../../src/store/event-store.js';
import { SilenceStore } from '../../src/store/silence-store.js';
import { tempDir } from '../helpers/tmp.js';

const silence = { host: 'f4', rule: undefined, labels: {}, startsAt: 1000, endsAt: 10_000, comment: 'kernel update', createdBy: 'alice' };

/**
 * A db whose next write statement (INSERT/UPDATE) first lets another connection commit a run,
 * as a poller does at any moment. A transaction that read before taking the write lock (a
 * deferred one) then fails with SQLITE_BUSY_SNAPSHOT; one begun IMMEDIATE holds the lock, so the
 * other connection is the one that waits (here: is refused at once) and the change goes through.
 */
function racedByAPoller(db: Db, poller: Db): Db {
  return new Proxy(db, {
    get(target, key, receiver) {
      if (key !== 'prepare') return Reflect.get(target, key, receiver) as unknown;
      return (sql: string) => {
        if (/^\s*(INSERT|UPDATE)/i.test(sql) && target.inTransaction) {
          try {
            poller.prepare('INSERT INTO store_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run('poller_was_here', Date.now());
          } catch (err) {
            if (!String((err as { code?: string }).code).startsWith('SQLITE_BUSY')) throw err;
          }
        }
        return target.prepare(sql);
      };
    },
  });
}

describe('SilenceStore writes while a poller commits', () => {
  it('add and remove take the write lock first (BEGIN IMMEDIATE): no SQLITE_BUSY_SNAPSHOT', () => {
    const path = join(tempDir(), 'metrix.db');
    const db = openDatabase(path);
    const poller = openDatabase(path, { busyTimeoutMs: 0 });
    const store = new SilenceStore(racedByAPoller(db, poller), new EventStore(db));
    const id = store.add(silence, 2000);
    expect(store.current(2000).map((s) => s.id)).toEqual([id]);
    expect(store.remove(id, 3000)).toBe(true);
    expect(store.current(3000)).toEqual([]);
    db.close();
    poller.close();
  });
});
