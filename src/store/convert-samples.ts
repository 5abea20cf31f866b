import { MetrixError } from '../errors.js';
import { SAMPLE_CODEC } from './codec.js';
import type { Db } from './database.js';
import { Layouts } from './layouts.js';
import { SampleRows } from './sample-rows.js';
import { SeriesIds } from './series-ids.js';

/**
 * Rewrites the samples of a schema-3 database (one row per sample in `samples`) as sample
 * rows: the samples one host stored at one time become one row. Counters keep the time they
 * were stored at, a row of their own when they were taken before the poll's end, so every
 * sample reads back at its own time. Runs inside the migration's transaction; a sample that
 * cannot be carried over throws and the database stays as it was.
 */
export function convertSamples(db: Db): void {
  const known = new Set(db.prepare<[], { id: number }>('SELECT id FROM series').all().map((row) => row.id));
  const rows = new SampleRows(db, new Layouts(db), new SeriesIds(db), SAMPLE_CODEC);
  let host = -1;
  let ts = -1;
  let ids: number[] = [];
  let values: number[] = [];
  const flush = (): void => void rows.write(host, ts, 0, ids, values);
  // Read in chunks by key: no other statement may run on the connection while one iterates.
  const chunk = db
    .prepare<[number, number, number], [number, number, number, unknown]>(
      'SELECT host_id, ts, series_id, value FROM samples WHERE (host_id, ts, series_id) > (?, ?, ?) ORDER BY host_id, ts, series_id LIMIT 50000',
    )
    .raw(true);
  let after: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (;;) {
    const batch = chunk.all(...after);
    if (batch.length === 0) break;
    for (const [hostId, time, series, value] of batch) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new MetrixError('STORE', `sample of series ${series} at ${time} holds ${JSON.stringify(value)}, not a number`);
      }
      if (!known.has(series)) throw new MetrixError('STORE', `sample at ${time} names series ${series}, which does not exist`);
      if (hostId !== host || time !== ts) {
        if (ids.length > 0) flush();
        host = hostId;
        ts = time;
        ids = [];
        values = [];
      }
      ids.push(series);
      values.push(value);
    }
    const [h, t, s] = batch[batch.length - 1]!;
    after = [h, t, s];
  }
  if (ids.length > 0) flush();
}
