import type { Db } from './database.js';
import { convertSamples } from './convert-samples.js';

/** SQL to run, or a step that needs code (rewriting rows); either runs inside the migration's transaction. */
export type Migration = string | ((db: Db) => void);

/**
 * Schema versions, applied in order; PRAGMA user_version records how many ran.
 * Append only: a released migration is never edited.
 */
export const MIGRATIONS: readonly Migration[] = [
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
  `
  -- One row per alert: a rule on one series from the moment its condition held (pending)
  -- until it resolves. Pending rows that never fire are deleted; the rest is history.
  CREATE TABLE alerts (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    rule             TEXT NOT NULL,
    host             TEXT NOT NULL,
    metric           TEXT NOT NULL,
    labels           TEXT NOT NULL,
    severity         TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
    value            REAL NOT NULL,
    active_since     INTEGER NOT NULL,
    firing_since     INTEGER,
    clearing_since   INTEGER,
    resolved_at      INTEGER,
    -- Notification log: when the last firing notice or reminder went to the outbox, and
    -- whether one ever did (a resolved notice only follows a firing one).
    notified_at      INTEGER,
    muted            TEXT
  );
  CREATE INDEX alerts_open ON alerts (rule, state) WHERE state != 'resolved';
  CREATE INDEX alerts_by_time ON alerts (active_since);
  CREATE TABLE silences (
    id         INTEGER PRIMARY KEY,
    host       TEXT,
    rule       TEXT,
    labels     TEXT NOT NULL DEFAULT '{}',
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL,
    comment    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    removed_at INTEGER
  );
  -- Every message is stored here, rendered, before it is sent: a send that fails is retried
  -- later with the same bytes and the same Message-ID.
  CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,
    sender          TEXT NOT NULL,
    recipients      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    raw             BLOB NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    sent_at         INTEGER,
    given_up_at     INTEGER
  );
  CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND given_up_at IS NULL;
  `,
  `
  -- The heartbeat's last ping that the watcher accepted, so its throttle holds across separate
  -- execute processes. One row per URL, named by the SHA-256 of the URL: the URL's path is a
  -- secret and stays in the config file alone; a new URL is a new check, pinged at once.
  CREATE TABLE heartbeat (
    url_sha256     TEXT PRIMARY KEY,
    -- Start of the run that pinged: the throttle counts from run start to run start, so how
    -- long the polls took does not shift the beat.
    run_started_at INTEGER NOT NULL,
    sent_at        INTEGER NOT NULL
  );
  `,
  // Issue #9: one row per host per poll instead of one per sample, roll-ups, retention state.
  (db) => {
    db.exec(`
    -- The ordered series one row holds values for: gauges by series id, then counters by series
    -- id (series: 4 bytes each, little-endian); counters = how many of them are at the end.
    CREATE TABLE layouts (
      id       INTEGER PRIMARY KEY,
      host_id  INTEGER NOT NULL REFERENCES hosts (id),
      series   BLOB NOT NULL,
      counters INTEGER NOT NULL,
      UNIQUE (host_id, series)
    );
    -- One row per host per poll: the poll's values packed in one blob (src/store/codec.ts) in
    -- the order of its layout. The counters (the layout's tail) were read counters_lag ms
    -- before ts. A run writes one row per host; a range of one series reads one row per poll.
    CREATE TABLE sample_rows (
      host_id      INTEGER NOT NULL,
      ts           INTEGER NOT NULL,
      layout_id    INTEGER NOT NULL REFERENCES layouts (id),
      counters_lag INTEGER NOT NULL,
      vals         BLOB NOT NULL,
      PRIMARY KEY (host_id, ts)
    ) WITHOUT ROWID;
    -- Roll-ups: one row per series per chunk of time (12 hours of 5-minute buckets, 5 days of
    -- hourly ones; chunk = its start), the chunk's buckets (min, max, sum and count each)
    -- packed column by column (src/store/chunk-codec.ts): one series over a month is 60 rows.
    -- Rows of a kilobyte or two: a rowid table keeps them whole in its pages, where a
    -- WITHOUT ROWID one would spill all but the first kilobyte into overflow pages.
    CREATE TABLE rollups_5m (
      id        INTEGER PRIMARY KEY,
      host_id   INTEGER NOT NULL,
      series_id INTEGER NOT NULL REFERENCES series (id),
      chunk     INTEGER NOT NULL,
      vals      BLOB NOT NULL
    );
    CREATE UNIQUE INDEX rollups_5m_by_series ON rollups_5m (host_id, series_id, chunk);
    CREATE TABLE rollups_1h (
      id        INTEGER PRIMARY KEY,
      host_id   INTEGER NOT NULL,
      series_id INTEGER NOT NULL REFERENCES series (id),
      chunk     INTEGER NOT NULL,
      vals      BLOB NOT NULL
    );
    CREATE UNIQUE INDEX rollups_1h_by_series ON rollups_1h (host_id, series_id, chunk);
    -- What each tier of a host holds, so readers know where to look and retention where to
    -- resume: raw samples from raw_from on (an hour boundary); roll-ups of buckets starting in
    -- [from, to): from is a chunk boundary, to a bucket boundary.
    CREATE TABLE tiers (
      host_id  INTEGER PRIMARY KEY REFERENCES hosts (id),
      raw_from INTEGER NOT NULL DEFAULT 0,
      m5_from  INTEGER NOT NULL DEFAULT 0,
      m5_to    INTEGER NOT NULL DEFAULT 0,
      h1_from  INTEGER NOT NULL DEFAULT 0,
      h1_to    INTEGER NOT NULL DEFAULT 0
    );
    -- Small facts about the store itself, e.g. when retention last ran to the end.
    CREATE TABLE store_state (
      name  TEXT PRIMARY KEY,
      value INTEGER NOT NULL
    );
    `);
    convertSamples(db);
    db.exec('DROP TABLE samples');
  },
  // Branch issue-10-remote-write: the remote-write queue.
  `
  -- Samples stored but not yet accepted by the remote-write store, in the order they were
  -- stored: each entry names what one write put in a sample_rows row (host, ts, and the layout
  -- of the series written), whose values are read when it is sent. Added in the transaction
  -- of the write, deleted once the store answered 2xx or the entry was dropped (over
  -- maxQueued, refused by the store, past retention). samples: how many, for the cap.
  CREATE TABLE remote_write_queue (
    id        INTEGER PRIMARY KEY,
    host_id   INTEGER NOT NULL REFERENCES hosts (id),
    ts        INTEGER NOT NULL,
    layout_id INTEGER NOT NULL REFERENCES layouts (id),
    samples   INTEGER NOT NULL
  );
  `,
  // Branch issue-10-serve: accounts for metrix serve. Passwords as scrypt hashes with their
  // parameters and salt (src/serve/passwords.ts); bearer tokens as the SHA-256 of the token
  // (random 32 bytes: a fast hash is enough, the token is shown once and never stored).
  `
  CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL CHECK (role IN ('viewer', 'admin')),
    password   TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sha256     TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE INDEX tokens_by_user ON tokens (user_id);
  `,
  // Branch issue-11-events: what happened, one row each (src/store/event-store.ts).
  `
  -- host is NULL for what concerns no host in particular (a silence on a rule); kind is one of
  -- EVENT_KINDS, checked by the code so a new kind needs no migration; text and details (JSON)
  -- are capped on the way in: they may quote a host.
  CREATE TABLE events (
    id       INTEGER PRIMARY KEY,
    ts       INTEGER NOT NULL,
    host     TEXT,
    kind     TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    text     TEXT NOT NULL,
    details  TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX events_by_host ON events (host, ts);
  CREATE INDEX events_by_time ON events (ts);
  `,
  // issue-11-checks: what a check last said and what a log last matched, beside their series.
  `
  -- One row per host and check or log (kind 'check' or 'log'): the latest word, for alert mail
  -- and for finding state changes. A check's text is the plugin's first output line (status
  -- 0-3); a log's is a JSON list of its last matching lines, from the last poll that had any.
  CREATE TABLE watch_texts (
    host   TEXT NOT NULL,
    kind   TEXT NOT NULL,
    name   TEXT NOT NULL,
    ts     INTEGER NOT NULL,
    status INTEGER,
    text   TEXT NOT NULL,
    PRIMARY KEY (host, kind, name)
  ) WITHOUT ROWID;
  `,
];
