/** What metrix stored, read back from its database (read-only) to check the benchmarks' runs. */
import Database from 'better-sqlite3';

export interface StoredRuns {
  readonly runs: number;
  /** Runs in which every one of the hosts has an ok poll. */
  readonly complete: number;
  readonly okPolls: number;
  readonly failedPolls: number;
}

/** The runs (cycles) that started in [from, to], and whether each polled all `hosts` ok. */
export function storedRuns(database: string, from: number, to: number, hosts: number): StoredRuns {
  const db = new Database(database, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        `SELECT r.id, SUM(p.ok) AS ok, COUNT(p.host) - SUM(p.ok) AS failed, COUNT(DISTINCT CASE WHEN p.ok = 1 THEN p.host END) AS hosts
           FROM runs r LEFT JOIN polls p ON p.run_id = r.id
          WHERE r.started_at >= ? AND r.started_at <= ? GROUP BY r.id`,
      )
      .all(from, to) as Array<{ ok: number | null; failed: number | null; hosts: number }>;
    return {
      runs: rows.length,
      complete: rows.filter((row) => row.hosts === hosts).length,
      okPolls: rows.reduce((sum, row) => sum + (row.ok ?? 0), 0),
      failedPolls: rows.reduce((sum, row) => sum + (row.failed ?? 0), 0),
    };
  } finally {
    db.close();
  }
}

/** Per host: polls stored since `from`, and how many of them were ok. */
export function pollsPerHost(database: string, from: number): Map<string, { polls: number; ok: number }> {
  const db = new Database(database, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT host, COUNT(*) AS polls, SUM(ok) AS ok FROM polls WHERE ts >= ? GROUP BY host').all(from) as Array<{ host: string; polls: number; ok: number }>;
    return new Map(rows.map((row) => [row.host, { polls: row.polls, ok: row.ok }]));
  } finally {
    db.close();
  }
}
