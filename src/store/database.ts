import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MetrixError, errorMessage } from '../errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export interface OpenOptions {
  /** How long a writer waits for another process' lock before giving up, ms. */
  readonly busyTimeoutMs?: number;
  readonly readonly?: boolean;
}

/** Opens (creating if needed) the SQLite file in WAL mode and brings its schema up to date. */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  let db: Db;
  try {
    if (!options.readonly) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (err) {
    const hint = options.readonly ? ' (nothing stored yet? run "metrix execute" first)' : '';
    throw new MetrixError('STORE', `cannot open database ${path}: ${errorMessage(err)}${hint}`, { cause: err });
  }
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    migrate(db, path, options.readonly ?? false);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof MetrixError) throw err;
    throw new MetrixError('STORE', `database ${path}: ${errorMessage(err)}`, { cause: err });
  }
}

function migrate(db: Db, path: string, readonly: boolean): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new MetrixError('STORE', `database ${path} has schema version ${version}, newer than this metrix knows (${MIGRATIONS.length}); upgrade metrix`);
  }
  if (version === MIGRATIONS.length) return;
  if (readonly) throw new MetrixError('STORE', `database ${path} needs a schema upgrade; run "metrix execute" once to apply it`);
  db.transaction(() => {
    MIGRATIONS.slice(version).forEach((sql) => db.exec(sql));
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
