import { appendFileSync, existsSync, readdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFarmConfig } from '../farm/config.js';
import { sshdMissing } from '../farm/sshd.js';
import { runCli } from '../helpers/io.js';
import { useFarm } from '../helpers/farm-hooks.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Checks and logs end to end: config.xml -> `metrix execute` over real sshd -> the collector
 * runs real monitoring-plugins and follows a real file -> series, events and alert mail.
 */
const PLUGINS = '/usr/lib/nagios/plugins';
const missing = sshdMissing() ?? (existsSync(`${PLUGINS}/check_dummy`) ? undefined : 'monitoring-plugins-basic is not installed');

const farm = useFarm();

interface Row {
  readonly labels: Record<string, string>;
  readonly value: number;
}

async function latest(dir: string, metric: string): Promise<Record<string, number>> {
  const run = await runCli(dir, ['query', '-h', 'node1', '-m', metric, '--since', '1h', '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  const rows = JSON.parse(run.stdout) as Row[];
  const last: Record<string, number> = {};
  for (const row of rows) last[Object.values(row.labels).join(',')] = row.value;
  return last;
}

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe.skipIf(missing !== undefined)('checks and logs over sshd', () => {
  it('done means: check_dummy 2 gives check_status 2 and a CRITICAL event, two new matching lines give log_matches 2, and the mail carries them', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    const pids = join(dir, 'hang.pids');
    const chatty = join(dir, 'chatty');
    writeFileSync(chatty, `#!/bin/sh\necho "OK: chatty"\nhead -c 10485760 /dev/zero | tr '\\0' 'x'\n`, { mode: 0o755 });
    writeFileSync(log, 'ERROR from before metrix looked\n');
    writeFarmConfig(farm(), dir, [{ name: 'node1', port: farm().servers[0]!.port }], 'connectTimeout="5s" commandTimeout="20s"');
    const config = readFileSync(join(dir, 'config.xml'), 'utf8').replace(
      '</metrix>',
      `  <mail transport="file" dir="outbox" from="metrix@localhost" to="root@localhost"/>
  <alerts>
    <alert name="check-critical" metric="check_status" op=">=" value="2" severity="critical"/>
    <alert name="app-errors" metric="log_matches" labels="log=app" op=">" value="0"/>
  </alerts>
  <checks>
    <check name="down" command="${PLUGINS}/check_dummy 2 &quot;down&quot;" every="1m"/>
    <check name="load" command="${PLUGINS}/check_load -w 500,500,500 -c 900,900,900"/>
    <check name="root-disk" command="${PLUGINS}/check_disk -w 1% -c 1% -p /"/>
    <check name="procs" command="${PLUGINS}/check_procs -w 100000 -c 200000"/>
    <check name="hang" command="sleep 300 &amp; echo $! &gt; ${pids}; echo $$ &gt;&gt; ${pids}; sleep 300" timeout="2s"/>
    <check name="chatty" command="${chatty}"/>
  </checks>
  <logs><log name="app" path="${log}" match="ERROR|panic"/></logs>
</metrix>`,
    );
    writeFileSync(join(dir, 'config.xml'), config);
    expect((await runCli(dir, ['config', 'check'])).code).toBe(0);
    expect((await runCli(dir, ['upload'])).code).toBe(0);

    const first = await runCli(dir, ['execute']);
    expect(first.stdout, first.stderr).toMatch(/1 ok, 0 failed/);
    expect(await latest(dir, 'check_status')).toEqual({ down: 2, load: 0, 'root-disk': 0, procs: 0, hang: 3, chatty: 0 });
    expect(await latest(dir, 'log_matches')).toEqual({ app: 0 });
    const perf = await latest(dir, 'check_perf');
    expect(Object.keys(perf)).toEqual(expect.arrayContaining(['load,load1', 'root-disk,/', 'procs,procs']));
    expect(perf['root-disk,/']).toBeGreaterThan(1024 * 1024);
    // The hung plugin and the child it forked are gone.
    const started = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(started).toHaveLength(2);
    for (let i = 0; i < 200 && started.some(alive); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started.filter(alive)).toEqual([]);

    appendFileSync(log, 'ERROR disk sda failed\nall fine here\nkernel panic - not syncing\n');
    expect((await runCli(dir, ['execute'])).code).toBe(0);
    expect(await latest(dir, 'check_status')).toMatchObject({ down: 2 });
    expect(await latest(dir, 'log_matches')).toEqual({ app: 2 });

    const events = await runCli(dir, ['events', '--format', 'json']);
    const listed = JSON.parse(events.stdout) as Array<{ kind: string; text: string }>;
    expect(listed.filter((e) => e.kind === 'check_changed').map((e) => e.text)).toEqual(
      expect.arrayContaining(['check down CRITICAL at its first run; output: CRITICAL: down', 'check hang UNKNOWN at its first run; output: timed out after 2s']),
    );
    expect(listed.find((e) => e.kind === 'log_matched')?.text).toBe('log app: 2 lines matched: ERROR disk sda failed');

    const mails = readdirText(join(dir, 'outbox'));
    expect(mails).toMatch(/output: +CRITICAL: down/);
    expect(mails).toMatch(/lines: +ERROR disk sda failed\r?\n {12}kernel panic - not syncing/);
  }, 180_000);

  it("sends a one-shot collector its checks on stdin, not on its command line where every user of the host reads them in ps", async () => {
    const dir = tempDir();
    writeFarmConfig(farm(), dir, [{ name: 'node1', port: farm().servers[0]!.port }], 'connectTimeout="5s" commandTimeout="20s"');
    // The check prints the command line of its parent: the collector.
    const config = readFileSync(join(dir, 'config.xml'), 'utf8').replace(
      '</metrix>',
      `  <checks><check name="argv" command="tr '\\000' ' ' &lt; /proc/$PPID/cmdline; echo; exit 2"/></checks>\n</metrix>`,
    );
    writeFileSync(join(dir, 'config.xml'), config);
    expect((await runCli(dir, ['upload'])).code).toBe(0);
    const run = await runCli(dir, ['execute']);
    expect(run.stdout, run.stderr).toMatch(/1 ok, 0 failed/);
    expect(await latest(dir, 'check_status')).toEqual({ argv: 2 });
    const events = JSON.parse((await runCli(dir, ['events', '--format', 'json'])).stdout) as Array<{ kind: string; text: string }>;
    const shown = events.find((e) => e.kind === 'check_changed')!.text;
    expect(shown).toMatch(/metrix-collector\.js .*--spec -( |$)/);
    expect(shown).not.toMatch(/cmdline|--spec [A-Za-z0-9_-]{20}/);
  }, 120_000);

  it('counts lines across a rotation by rename and by copytruncate between polls', async () => {
    const dir = tempDir();
    const log = join(dir, 'kern.log');
    writeFileSync(log, 'boot\n');
    writeFarmConfig(farm(), dir, [{ name: 'node1', port: farm().servers[0]!.port }], 'connectTimeout="5s" commandTimeout="20s"');
    const config = readFileSync(join(dir, 'config.xml'), 'utf8').replace('</metrix>', `  <logs><log name="kern" path="${log}" match="oom|i/o error" ignoreCase="true"/></logs>\n</metrix>`);
    writeFileSync(join(dir, 'config.xml'), config);
    expect((await runCli(dir, ['upload'])).code).toBe(0);
    expect((await runCli(dir, ['execute'])).code).toBe(0);

    appendFileSync(log, 'OOM killer woke\n');
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'I/O error on sdb\n');
    expect((await runCli(dir, ['execute'])).code).toBe(0);
    expect(await latest(dir, 'log_matches')).toEqual({ kern: 2 });

    truncateSync(log, 0);
    writeFileSync(log, 'oom again\n');
    expect((await runCli(dir, ['execute'])).code).toBe(0);
    expect(await latest(dir, 'log_matches')).toEqual({ kern: 1 });
  }, 180_000);
});

function readdirText(dir: string): string {
  // Quoted-printable soft breaks joined back, so a line reads as it was written.
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name), 'utf8').replace(/=\r?\n/g, ''))
    .join('\n');
}
