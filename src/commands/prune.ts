import { existsSync, statSync } from 'node:fs';
import type { Io } from '../cli/io.js';
import { loadConfig } from '../config/load.js';
import { policyOf } from '../retention/policy.js';
import { prune as applyRetention } from '../retention/prune.js';
import { pruneReport } from '../retention/report.js';
import { Store } from '../store/store.js';

export interface PruneOptions {
  readonly config: string;
}

/** The database file and its write-ahead log, bytes. */
function fileSize(path: string): number {
  return [path, `${path}-wal`].reduce((sum, file) => sum + (existsSync(file) ? statSync(file).size : 0), 0);
}

/** `metrix prune`: apply retention now, to the end, and say what it removed. */
export function prune(options: PruneOptions, io: Io): number {
  const config = loadConfig(options.config);
  const path = config.settings.database;
  if (!existsSync(path)) {
    io.out(`nothing to prune: no database at ${path} yet\n`);
    return 0;
  }
  const before = fileSize(path);
  const store = Store.open(path);
  try {
    const now = io.clock();
    const policy = policyOf(config.settings);
    const { counts } = applyRetention(store.retention, { now, policy, clock: io.clock });
    store.retention.checkpoint();
    const pages = store.retention.pages();
    io.out(pruneReport(counts, policy, now, { before, after: fileSize(path), free: pages.free * pages.pageSize }));
    return 0;
  } finally {
    store.close();
  }
}
