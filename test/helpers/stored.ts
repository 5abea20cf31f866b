import Database from 'better-sqlite3';
import type { Labels } from '../../src/metrics/labels.js';
import { Store } from '../../src/store/store.js';

export interface StoredPoint {
  readonly host: string;
  readonly labels: Labels;
  readonly ts: number;
  readonly value: number;
}

/** Every raw sample of `metric` in the database, any host, oldest first (hosts by name at one time). */
export function storedPoints(path: string, metric: string): StoredPoint[] {
  const db = new Database(path, { readonly: true });
  const hosts = (db.prepare('SELECT name FROM hosts ORDER BY name').all() as Array<{ name: string }>).map((row) => row.name);
  db.close();
  const store = Store.open(path, { readonly: true });
  try {
    return hosts
      .flatMap((host) => store.range({ host, metric, since: 0, until: Number.MAX_SAFE_INTEGER }).flatMap((s) => s.points.map((p) => ({ host, labels: s.labels, ...p }))))
      .sort((a, b) => a.ts - b.ts);
  } finally {
    store.close();
  }
}
