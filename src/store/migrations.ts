/**
 * Schema versions, applied in order; PRAGMA user_version records how many ran.
 * Append only: a released migration is never edited.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE hosts (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
  );
  CREATE TABLE series (
    id      INTEGER PRIMARY KEY,
    host_id INTEGER NOT NULL REFERENCES hosts (id),
    metric  TEXT NOT NULL,
    labels  TEXT NOT NULL DEFAULT '{}',
    UNIQUE (host_id, metric, labels)
  );
  -- Clustered by host, then time: a run appends one short run of rows per host (a few pages
  -- written per host instead of one page per series), and a host's recent past, which range
  -- queries and alert windows read, is one contiguous range.
  CREATE TABLE samples (
    host_id   INTEGER NOT NULL,
    ts        INTEGER NOT NULL,
    series_id INTEGER NOT NULL REFERENCES series (id),
    value     REAL NOT NULL,
    PRIMARY KEY (host_id, ts, series_id)
  ) WITHOUT ROWID;
  CREATE TABLE runs (
    id           INTEGER PRIMARY KEY,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL,
    hosts_ok     INTEGER NOT NULL,
    hosts_failed INTEGER NOT NULL
  );
  CREATE TABLE polls (
    run_id      INTEGER NOT NULL REFERENCES runs (id),
    host        TEXT NOT NULL,
    ts          INTEGER NOT NULL,
    ok          INTEGER NOT NULL,
    reason      TEXT,
    message     TEXT,
    duration_ms INTEGER NOT NULL,
    collector   TEXT
  );
  CREATE INDEX polls_by_host ON polls (host, ts);
  -- At most one execute at a time: the holder's identity, so a dead holder can be told apart.
  CREATE TABLE run_lock (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    pid         INTEGER NOT NULL,
    machine     TEXT NOT NULL,
    proc_start  TEXT NOT NULL,
    acquired_at INTEGER NOT NULL
  );
  `,
];
