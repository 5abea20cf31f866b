import Database from 'better-sqlite3';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectorBundlePath } from '../../src/poll/collector-bundle.js';
import { writeFarmConfig } from '../farm/config.js';
import { REAL_COLLECTOR, resealingCollector } from '../farm/hostile.js';
import { sshdMissing } from '../farm/sshd.js';
import { runCli } from '../helpers/io.js';
import { useFarm } from '../helpers/farm-hooks.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Hosts whose reports are sealed with their real keys but whose content is hostile, polled by
 * `metrix execute` over real sshd next to good hosts: each fails alone with its own reason.
 */
const SPOILERS: Record<string, string> = {
  honest: '',
  nogauges: 'delete report.gauges',
  flood: "report.gauges = Array.from({ length: 10000 - report.counters.length }, () => ({ m: 'load1', v: 1 }))",
};
const HOSTS = ['good1', 'good2', ...Object.keys(SPOILERS)];

const farm = useFarm();

describe.skipIf(sshdMissing() !== undefined)('authentic reports with hostile content', () => {
  it('stores every good host and fails the report without gauges and the one with 10,000 samples, each with its reason', async () => {
    const dir = tempDir();
    const port = farm().servers[0]!.port;
    writeFarmConfig(farm(), dir, HOSTS.map((name) => ({ name, port })), 'connectTimeout="5s" commandTimeout="20s" maxOutput="4MB"');
    expect((await runCli(dir, ['upload'])).code).toBe(0);
    for (const [name, spoil] of Object.entries(SPOILERS)) {
      copyFileSync(collectorBundlePath(), join(dir, 'remote', name, REAL_COLLECTOR));
      writeFileSync(join(dir, 'remote', name, 'metrix-collector.js'), resealingCollector(spoil));
    }

    const run = await runCli(dir, ['execute']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^polled 5 hosts in [\d.]+s: 3 ok, 2 failed\n/);
    expect(run.stdout).toMatch(/\n {2}bad-output: 1 \(nogauges\)\n/);
    expect(run.stdout).toMatch(/\n {2}too-many-samples: 1 \(flood\)\n/);
    expect(run.stderr).toMatch(/ERROR \[nogauges\] bad-output after [\d.]+s: malformed report: gauges is undefined, not a list\n/);
    expect(run.stderr).toMatch(/ERROR \[flood\] too-many-samples after [\d.]+s: report has 10000 samples, over maxSamples 5000\n/);

    const db = new Database(join(dir, 'metrix.db'), { readonly: true });
    const metricsOf = (name: string): string[] =>
      (db.prepare('SELECT DISTINCT metric FROM series JOIN hosts h ON h.id = host_id WHERE h.name = ? ORDER BY metric').all(name) as Array<{ metric: string }>).map((r) => r.metric);
    for (const name of ['good1', 'good2', 'honest']) expect(metricsOf(name), name).toEqual(expect.arrayContaining(['cpu_percent', 'mem_percent', 'load1', 'host_up']));
    for (const name of ['nogauges', 'flood']) expect(metricsOf(name), name).toEqual(['host_up', 'poll_duration_sec']);
    db.close();
  }, 90_000);
});
