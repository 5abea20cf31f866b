import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MetrixError, errorMessage } from '../errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;
export type Statement<Params extends unknown[] = unknown[], Row = unknown> = Database.Statement<Params, Row>;

// A reader of a WAL database needs its -shm file, creating it when no writer has it open. In a
// directory the reader cannot write, SQLite can only open the file as `immutable`, which takes a
// URI filename; better-sqlite3 reads this switch when it loads its native addon, at the first
// open, and this is the one module that opens databases. Paths metrix opens are absolute, so
// none is mistaken for a URI.
process.env['SQLITE_USE_URI'] = '1';

/** What SQLite says when a read-only open of a WAL database cannot make its -shm file. */
const NEEDS_IMMUTABLE = new Set(['SQLITE_READONLY_DIRECTORY', 'SQLITE_CANTOPEN', 'SQLITE_READONLY_CANTINIT']);

export interface OpenOptions {
  /** How long a writer waits for another process' lock before giving up, ms. */
  readonly busyTimeoutMs?: number;
  readonly readonly?: boolean;
}

/**
 * Opens the SQLite file. A writer creates it if needed, sets WAL mode and brings the schema
 * up to date; a reader (`readonly`) never writes, migrates or creates anything, and works on
 * a database file and directory it may only read.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  return options.readonly ? openReader(path, options) : openWriter(path, options);
}

function openWriter(path: string, options: OpenOptions): Db {
  let db: Db;
  try {
    mkdirSync(dirname(path), { recursive: true });
    createPrivate(path);
    db = new Database(path);
  } catch (err) {
    throw new MetrixError('STORE', `cannot open database ${path}: ${errorMessage(err)}${readonlyHint(err)}`, { cause: err });
  }
  return prepare(db, path, options);
}

/**
 * The database holds the password hashes of `metrix serve`'s users: a new one is made readable
 * by its owner alone (0600, whatever the umask). SQLite gives its -wal and -shm files the mode
 * of the database file. An empty file is an empty database to SQLite.
 */
function createPrivate(path: string): void {
  if (existsSync(path)) return;
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/**
 * Takes away the permissions of other users (the last digit of the mode) from the database and
 * its -wal and -shm files, as an older metrix left them (0644 under umask 022); the group's are
 * the owner's choice (a group of readers for `metrix query`). One line per file changed.
 */
export function tightenDatabaseMode(path: string): string[] {
  const notes: string[] = [];
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (!existsSync(file)) continue;
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o007) === 0) continue;
    chmodSync(file, mode & ~0o007);
    notes.push(`${file} was readable by every user (${octal(mode)}); it holds password hashes: now ${octal(mode & ~0o007)}`);
  }
  return notes;
}

const octal = (mode: number): string => `0${mode.toString(8).padStart(3, '0')}`;

function openReader(path: string, options: OpenOptions): Db {
  try {
    return prepare(new Database(path, { readonly: true, fileMustExist: true }), path, options);
  } catch (err) {
    if (!NEEDS_IMMUTABLE.has(sqliteCode(err) ?? '')) throw openError(path, err);
  }
  // No -shm could be made: read the file as it is. Safe here because nobody who could change
  // it is writing (a writer would have left its -shm behind, and the open above would have used it).
  try {
    return prepare(new Database(`${pathToFileURL(path).href}?immutable=1`, { readonly: true, fileMustExist: true }), path, options);
  } catch (err) {
    throw openError(path, err);
  }
}

function openError(path: string, err: unknown): MetrixError {
  if (err instanceof MetrixError) return err;
  const hint = existsSync(path) ? '' : ' (nothing stored yet? run "metrix execute" first)';
  return new MetrixError('STORE', `cannot open database ${path}: ${errorMessage(err)}${hint}`, { cause: err });
}

/** Why a writer failed when it did because of permissions, said in the sysadmin's terms. */
function readonlyHint(err: unknown): string {
  return /^SQLITE_(READONLY|CANTOPEN|PERM)/.test(sqliteCode(err) ?? '') || (err as { code?: unknown }).code === 'EACCES'
    ? ' (this command writes to the database: the user running it needs write access to the file and its directory)'
    : '';
}

function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

function prepare(db: Db, path: string, options: OpenOptions): Db {
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // A run rewrites the last page of every host's samples; folding the log into the file every
      // 40 MB instead of every 4 MB writes each such page once per ~50 runs, not once per 5
      // (bench:store: ~600k -> ~900k samples/s). A big transaction (a schema upgrade, a long
      // prune) grows the -wal file past that; it is trimmed back to 64 MB after.
      db.pragma('wal_autocheckpoint = 10000');
      db.pragma('journal_size_limit = 67108864');
    }
    db.pragma('foreign_keys = ON');
    migrate(db, path, options.readonly ?? false);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof MetrixError) throw err;
    if (options.readonly) throw err; // the reader decides whether to retry as immutable
    throw new MetrixError('STORE', `database ${path}: ${errorMessage(err)}${readonlyHint(err)}`, { cause: err });
  }
}

function migrate(db: Db, path: string, readonly: boolean): void {
  const version = schemaVersion(db, path);
  if (version === MIGRATIONS.length) return;
  if (readonly) {
    throw new MetrixError(
      'STORE',
      `database ${path} was written by an older metrix (schema version ${version}, this one needs ${MIGRATIONS.length}) and must be upgraded first; ` +
        'run "metrix execute" or "metrix prune" once as a user who may write it (the upgrade keeps every sample)',
    );
  }
  const upgrade = db.transaction(() => {
    // Read again under the write lock: another process may have upgraded it while we waited.
    const from = schemaVersion(db, path);
    for (const step of MIGRATIONS.slice(from)) {
      if (typeof step === 'string') db.exec(step);
      else step(db);
    }
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  });
  try {
    upgrade.immediate();
  } catch (err) {
    if (sqliteCode(err) === 'SQLITE_BUSY') {
      throw new MetrixError('STORE', `database ${path} is being upgraded by another metrix (or held by one); nothing was changed here, try again once it is done`, { cause: err });
    }
    throw new MetrixError(
      'STORE',
      `database ${path}: upgrading its schema from version ${version} to ${MIGRATIONS.length} failed, nothing was changed (the file is as it was): ${errorMessage(err)}${readonlyHint(err)}`,
      { cause: err },
    );
  }
}

function schemaVersion(db: Db, path: string): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new MetrixError('STORE', `database ${path} has schema version ${version}, newer than this metrix knows (${MIGRATIONS.length}); upgrade metrix`);
  }
  return version;
}
