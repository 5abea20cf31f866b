import Database from 'better-sqlite3';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { Store } from '../../src/store/store.js';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';

// Written by the landed release's own Store (main at ccb7965, schema 3): see make.mjs beside it.
const FIXTURE = new URL('../fixtures/landed-v3/metrix.db', import.meta.url).pathname;

interface OldSample {
  host: string;
  metric: string;
  labels: string;
  ts: number;
  value: number;
}

function copyOfFixture(): { dir: string; path: string } {
  const dir = tempDir();
  const path = join(dir, 'metrix.db');
  copyFileSync(FIXTURE, path);
  writeFileSync(join(dir, 'config.xml'), '<metrix><settings database="metrix.db"/><hosts><host name="n01" transport="local"/></hosts></metrix>');
  return { dir, path };
}

function oldSamples(path: string): OldSample[] {
  const db = new Database(path, { readonly: true });
  const rows = db
    .prepare('SELECT h.name AS host, s.metric, s.labels, p.ts, p.value FROM samples p JOIN series s ON s.id = p.series_id JOIN hosts h ON h.id = p.host_id')
    .all() as OldSample[];
  db.close();
  return rows;
}

const COUNTED = ['runs', 'polls', 'alerts', 'outbox', 'silences', 'series', 'hosts'];

function counts(path: string): Record<string, number> {
  const db = new Database(path, { readonly: true });
  const result = Object.fromEntries(COUNTED.map((table) => [table, (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n]));
  db.close();
  return result;
}

const key = (s: OldSample): string => `${s.host}|${s.metric}|${s.labels}|${s.ts}|${s.value}`;

describe('a database written by the landed release (schema 3)', () => {
  it('is upgraded in place on first open: every sample reads back at its time, and nothing else changes', () => {
    const { path } = copyOfFixture();
    const before = oldSamples(path);
    const tables = counts(path);
    expect(before).toHaveLength(2320);

    const store = Store.open(path);
    const after: OldSample[] = [];
    for (const host of new Set(before.map((s) => s.host))) {
      for (const metric of store.metricsOf(host)) {
        for (const series of store.range({ host, metric, since: 0, until: Number.MAX_SAFE_INTEGER })) {
          for (const p of series.points) after.push({ host, metric, labels: JSON.stringify(series.labels), ts: p.ts, value: p.value });
        }
      }
    }
    expect(after).toHaveLength(before.length);
    expect(after.map(key).sort()).toEqual(before.map(key).sort());
    // The counters of n01's last poll were read 2.5 s before its end, and stay at that time.
    expect(store.lastCounters('n01')).toEqual({
      ts: Date.parse('2026-10-01T01:59:01.234Z') - 2500,
      counters: [
        { m: 'cpu_total_jiffies', v: 1_000_000 + 119 * 6000, l: {} },
        { m: 'cpu_idle_jiffies', v: 800_000 + 119 * 4800, l: {} },
        { m: 'net_rx_bytes_total', v: 9_876_543_210 + 119 * 74_070, l: { iface: 'eth0' } },
      ],
    });
    expect(store.lastPolls(['n02']).get('n02')?.lastOk?.ts).toBe(Date.parse('2026-10-01T01:59:01.234Z') + 17);
    store.close();

    expect(counts(path)).toEqual(tables);
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'samples'").all()).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('is refused by readers with a clear message until a writer upgrades it, and the file is left as it was', async () => {
    const { dir, path } = copyOfFixture();
    const bytes = readFileSync(path);
    expect(() => Store.open(path, { readonly: true })).toThrow(/written by an older metrix \(schema version 3, this one needs \d+\) and must be upgraded first; run "metrix execute" or "metrix prune" once/);
    const query = await runCli(dir, ['query', '-h', 'n01', '-m', 'cpu_percent', '--since', '2026-10-01']);
    expect(query.code).toBe(1);
    expect(query.stderr).toMatch(/^metrix: database .*metrix\.db was written by an older metrix .*must be upgraded first.*\n$/);
    expect(query.stdout).toBe('');
    const hosts = await runCli(dir, ['hosts']);
    expect(hosts.code).toBe(1);
    expect(hosts.stderr).toMatch(/must be upgraded first/);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('says so when another process holds it while it would upgrade it, and changes nothing', () => {
    const { path } = copyOfFixture();
    const other = new Database(path);
    other.prepare('BEGIN IMMEDIATE').run();
    try {
      expect(() => Store.open(path, { busyTimeoutMs: 50 })).toThrow(/is being upgraded by another metrix \(or held by one\); nothing was changed here, try again once it is done/);
    } finally {
      other.prepare('ROLLBACK').run();
      other.close();
    }
    expect(oldSamples(path)).toHaveLength(2320);
  });

  it('stays as it was when the upgrade fails, and says so', async () => {
    const { dir, path } = copyOfFixture();
    const db = new Database(path);
    db.prepare("INSERT INTO samples (host_id, ts, series_id, value) VALUES (1, 5, 1, 'garbage')").run();
    db.close();
    const before = oldSamples(path);
    expect(() => Store.open(path)).toThrow(/upgrading its schema from version 3 to \d+ failed, nothing was changed \(the file is as it was\): sample of series 1 at 5 holds "garbage", not a number/);
    const prune = await runCli(dir, ['prune']);
    expect(prune.code).toBe(1);
    expect(prune.stderr).toMatch(/^metrix: database .*: upgrading its schema from version 3 to \d+ failed, nothing was changed/);
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(3);
    expect(after.prepare("SELECT name FROM sqlite_master WHERE name IN ('sample_rows', 'layouts')").all()).toEqual([]);
    after.close();
    expect(oldSamples(path)).toEqual(before);
  });
});
