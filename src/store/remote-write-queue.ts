import type { Labels } from '../metrics/labels.js';
import { valueAt } from './codec.js';
import type { Db } from './database.js';
import type { Layouts } from './layouts.js';
import type { SampleRows } from './sample-rows.js';
import type { SeriesIds } from './series-ids.js';

/** One value of a queued row, at its own time (a counter's is the row's time less its lag). */
export interface QueuedSample {
  /** Series id: two samples of one series never go in one request (see remote-write/batch.ts). */
  readonly series: number;
  readonly metric: string;
  readonly labels: Labels;
  readonly ts: number;
  readonly value: number;
}

/** A queue entry and the values it names, as stored now; `samples` undefined when the row is gone (retention). */
export interface QueuedRow {
  readonly id: number;
  readonly host: string;
  /** Values written, as counted when queued (the cap counts these). */
  readonly count: number;
  readonly samples: readonly QueuedSample[] | undefined;
}

export interface QueueDepth {
  readonly rows: number;
  readonly samples: number;
}

/** Running totals kept in store_state, so they survive across execute processes. */
export type QueueTotal = 'remote_write_sent' | 'remote_write_dropped';

/**
 * The remote-write queue: what the remote store has not yet accepted, oldest first, one entry
 * per write of a row (host, time, the layout of the series written). An entry is added in the
 * transaction of its write (Store.writeEntries), so stored samples are always queued and
 * rolled-back ones never are; the values are read from sample_rows when sent. A row written
 * again at the same time (merged) gets a second entry for what that write added, so what was
 * sent already is not sent again. Only the holder of the run lock sends: one process at a
 * time reads and deletes entries.
 */
export class RemoteWriteQueue {
  /** Set by the poller when config.xml has <remoteWrite>: without it nothing is queued. */
  enabled = false;
  private readonly insert;
  private readonly selectOldest;
  private readonly deleteOne;
  private readonly selectDepth;
  private readonly selectCut;
  private readonly deleteUpTo;
  private readonly selectHostName;
  private readonly selectTotal;
  private readonly addTotal;
  private readonly hostNames = new Map<number, string>();

  constructor(
    private readonly db: Db,
    private readonly rows: SampleRows,
    private readonly layouts: Layouts,
    private readonly ids: SeriesIds,
  ) {
    this.insert = db.prepare('INSERT INTO remote_write_queue (host_id, ts, layout_id, samples) VALUES (?, ?, ?, ?)');
    this.selectOldest = db.prepare<[number], { id: number; host_id: number; ts: number; layout_id: number; samples: number }>(
      'SELECT id, host_id, ts, layout_id, samples FROM remote_write_queue ORDER BY id LIMIT ?',
    );
    this.deleteOne = db.prepare('DELETE FROM remote_write_queue WHERE id = ?');
    this.selectDepth = db.prepare<[], { rows: number; samples: number | null }>('SELECT count(*) AS rows, sum(samples) AS samples FROM remote_write_queue');
    // The newest entry that no longer fits under the cap, counting from the newest.
    this.selectCut = db.prepare<[number], { id: number }>(
      'SELECT id FROM (SELECT id, sum(samples) OVER (ORDER BY id DESC) AS newer FROM remote_write_queue) WHERE newer > ? ORDER BY id DESC LIMIT 1',
    );
    this.deleteUpTo = db.prepare<[number], { rows: number; samples: number | null }>('DELETE FROM remote_write_queue WHERE id <= ? RETURNING 1 AS rows, samples');
    this.selectHostName = db.prepare<[number], { name: string }>('SELECT name FROM hosts WHERE id = ?');
    this.selectTotal = db.prepare<[string], { value: number }>('SELECT value FROM store_state WHERE name = ?');
    this.addTotal = db.prepare('INSERT INTO store_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value');
  }

  /** Queues what a write just put in a row; callers are inside the transaction of the write. */
  add(hostId: number, ts: number, layoutId: number, samples: number): void {
    if (this.enabled) this.insert.run(hostId, ts, layoutId, samples);
  }

  /** The oldest `limit` entries with their rows' values. */
  oldest(limit: number): QueuedRow[] {
    return this.selectOldest.all(limit).map((entry) => ({
      id: entry.id,
      host: this.hostName(entry.host_id),
      count: entry.samples,
      samples: this.read(entry.host_id, entry.ts, entry.layout_id),
    }));
  }

  /** Takes entries off the queue (accepted, or dropped for good) and adds them to a running total, in one transaction. */
  remove(ids: readonly number[], total: QueueTotal, samples: number): void {
    this.db
      .transaction(() => {
        for (const id of ids) this.deleteOne.run(id);
        this.addTotal.run(total, samples);
      })
      .immediate();
  }

  depth(): QueueDepth {
    const { rows, samples } = this.selectDepth.get()!;
    return { rows, samples: samples ?? 0 };
  }

  /** Drops the oldest entries until at most `maxSamples` wait; what was dropped is counted. */
  trim(maxSamples: number): QueueDepth {
    return this.db
      .transaction((): QueueDepth => {
        const cut = this.selectCut.get(maxSamples);
        if (cut === undefined) return { rows: 0, samples: 0 };
        const gone = this.deleteUpTo.all(cut.id);
        const samples = gone.reduce((sum, row) => sum + (row.samples ?? 0), 0);
        this.addTotal.run('remote_write_dropped', samples);
        return { rows: gone.length, samples };
      })
      .immediate();
  }

  /** A running total: samples accepted by the store, or dropped, since the database was made. */
  total(name: QueueTotal): number {
    return this.selectTotal.get(name)?.value ?? 0;
  }

  private hostName(hostId: number): string {
    let name = this.hostNames.get(hostId);
    if (name === undefined) {
      name = this.selectHostName.get(hostId)?.name ?? `#${hostId}`;
      this.hostNames.set(hostId, name);
    }
    return name;
  }

  /** The entry's series as the row holds them now, each at its time (a counter's is the row's less its lag). */
  private read(hostId: number, ts: number, layoutId: number): QueuedSample[] | undefined {
    const row = this.rows.at(hostId, ts);
    if (!row) return undefined;
    const samples: QueuedSample[] = [];
    for (const series of this.layouts.get(layoutId).series) {
      const k = row.layout.positions.get(series);
      if (k === undefined) continue;
      const info = this.ids.info(series);
      samples.push({ series, metric: info.metric, labels: info.labels, ts: k >= row.layout.countersFrom ? ts - row.lag : ts, value: valueAt(row.vals, k) });
    }
    return samples;
  }
}
