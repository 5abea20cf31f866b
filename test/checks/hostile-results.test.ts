import Database from 'better-sqlite3';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
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
 * Hosts that answer with their real keys but lie about their checks and logs, polled over real
 * sshd next to an honest one: what is malformed fails that host alone, what is long is cut.
 */
const SPOILERS: Record<string, string> = {
  honest: '',
  rogue: "report.checks.push({ name: 'rogue', status: 0, text: 'I was not asked', perf: [], ranAt: 1, fresh: true })",
  seven: 'report.checks[0].status = 7',
  gauge: "report.gauges.push({ m: 'check_status', v: 0, l: { check: 'ping' } })",
  chatty: "report.checks[0].text = 'x'.repeat(100000) + '\\u001b[2J'; report.logs[0].matches = 200; report.logs[0].lines = Array(200).fill('y'.repeat(5000))",
};

const farm = useFarm();

describe.skipIf(sshdMissing() !== undefined)('hostile check and log results', () => {
  it('fails a host that reports a check it was not asked for, a status of 7 or check_status as a gauge, and cuts one that talks too much', async () => {
    const dir = tempDir();
    const log = join(dir, 'x.log');
    writeFileSync(log, '');
    const port = farm().servers[0]!.port;
    writeFarmConfig(farm(), dir, Object.keys(SPOILERS).map((name) => ({ name, port })), 'connectTimeout="5s" commandTimeout="20s" maxOutput="4MB"');
    const config = readFileSync(join(dir, 'config.xml'), 'utf8').replace(
      '</metrix>',
      `  <checks><check name="ping" command="echo 'OK: pong | rtt=5ms'"/></checks>\n  <logs><log name="x" path="${log}" match="y"/></logs>\n</metrix>`,
    );
    writeFileSync(join(dir, 'config.xml'), config);
    expect((await runCli(dir, ['upload'])).code).toBe(0);
    for (const [name, spoil] of Object.entries(SPOILERS)) {
      copyFileSync(collectorBundlePath(), join(dir, 'remote', name, REAL_COLLECTOR));
      writeFileSync(join(dir, 'remote', name, 'metrix-collector.js'), resealingCollector(spoil));
    }

    const run = await runCli(dir, ['execute']);
    expect(run.stdout, run.stderr).toMatch(/^polled 5 hosts in [\d.]+s: 2 ok, 3 failed\n/);
    expect(run.stderr).toMatch(/ERROR \[rogue\] bad-output after [\d.]+s: malformed report: check "rogue" was not asked for\n/);
    expect(run.stderr).toMatch(/ERROR \[seven\] bad-output after [\d.]+s: malformed report: check "ping": status is not 0, 1, 2 or 3\n/);
    expect(run.stderr).toMatch(/ERROR \[gauge\] bad-output after [\d.]+s: malformed report: gauges\[\d+\]: check_status is a poller metric, not a gauge\n/);

    const db = new Database(join(dir, 'metrix.db'), { readonly: true });
    const texts = db.prepare('SELECT host, kind, name, status, text FROM watch_texts ORDER BY host, kind').all() as Array<{ host: string; kind: string; status: number | null; text: string }>;
    db.close();
    expect(texts.map((t) => [t.host, t.kind])).toEqual([['chatty', 'check'], ['chatty', 'log'], ['honest', 'check']]);
    expect(texts[2]).toMatchObject({ status: 0, text: 'OK: pong' });
    const lines = JSON.parse(texts[1]!.text) as string[];
    expect(lines).toHaveLength(5);
    expect(lines.every((line) => line.length === 1000)).toBe(true);
    expect(texts[0]!.text).toHaveLength(1000);
    expect(texts[0]!.text).not.toMatch(/\u001b/);
    const perf = await runCli(dir, ['query', '-h', 'honest', '-m', 'check_perf', '--format', 'json']);
    expect(JSON.parse(perf.stdout)).toMatchObject([{ labels: { check: 'ping', label: 'rtt' }, value: 0.005 }]);
  }, 120_000);
});
