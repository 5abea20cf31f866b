import type { Db } from './database.js';

export type UserRole = 'viewer' | 'admin';

export interface User {
  readonly id: number;
  readonly name: string;
  readonly role: UserRole;
  /** The stored scrypt hash (src/serve/passwords.ts). */
  readonly password: string;
  readonly createdAt: number;
}

export interface UserSummary {
  readonly name: string;
  readonly role: UserRole;
  readonly createdAt: number;
  /** Tokens not revoked. */
  readonly tokens: number;
}

interface Row {
  id: number;
  name: string;
  role: UserRole;
  password: string;
  created_at: number;
}

const fromRow = (row: Row): User => ({ id: row.id, name: row.name, role: row.role, password: row.password, createdAt: row.created_at });

/** Accounts of `metrix serve` and their bearer tokens (only hashes are stored). */
export class UserStore {
  // Prepared once: the server looks a user or token up on every request.
  private readonly selectUser;
  private readonly selectByToken;

  constructor(private readonly db: Db) {
    this.selectUser = db.prepare<[string], Row>('SELECT * FROM users WHERE name = ?');
    this.selectByToken = db.prepare<[string], Row>('SELECT u.* FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.sha256 = ? AND t.revoked_at IS NULL');
  }

  find(name: string): User | undefined {
    const row = this.selectUser.get(name);
    return row && fromRow(row);
  }

  /** Adds the user, or replaces the password and role of one that exists; true when it was new. */
  put(name: string, role: UserRole, password: string, now: number): boolean {
    const existed = this.find(name) !== undefined;
    this.db
      .prepare('INSERT INTO users (name, role, password, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET role = excluded.role, password = excluded.password')
      .run(name, role, password, now);
    return !existed;
  }

  /** Removes the user and its tokens; false when there was none. */
  remove(name: string): boolean {
    return this.db.transaction(() => {
      const user = this.find(name);
      if (!user) return false;
      this.db.prepare('DELETE FROM tokens WHERE user_id = ?').run(user.id);
      this.db.prepare('DELETE FROM users WHERE id = ?').run(user.id);
      return true;
    }).immediate();
  }

  list(): UserSummary[] {
    return this.db
      .prepare<[], Row & { tokens: number }>('SELECT u.*, (SELECT count(*) FROM tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL) AS tokens FROM users u ORDER BY u.name')
      .all()
      .map((row) => ({ name: row.name, role: row.role, createdAt: row.created_at, tokens: row.tokens }));
  }

  /** Stores a new token's hash for the user; returns the token's id. */
  addToken(userId: number, sha256: string, now: number): number {
    return Number(this.db.prepare('INSERT INTO tokens (user_id, sha256, created_at) VALUES (?, ?, ?)').run(userId, sha256, now).lastInsertRowid);
  }

  /** Revokes the user's tokens (all, or the one with `id`); how many were revoked. */
  revokeTokens(userId: number, now: number, id?: number): number {
    const sql = `UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL${id === undefined ? '' : ' AND id = ?'}`;
    const args: number[] = id === undefined ? [now, userId] : [now, userId, id];
    return this.db.prepare(sql).run(...args).changes;
  }

  /** The user a live token (by its SHA-256) belongs to. */
  byToken(sha256: string): User | undefined {
    const row = this.selectByToken.get(sha256);
    return row && fromRow(row);
  }
}
