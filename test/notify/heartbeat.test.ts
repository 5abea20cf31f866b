import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { metrixVersion } from '../../src/cli/version.js';
import { heartbeatDue } from '../../src/notify/heartbeat.js';
import { packageRoot } from '../../src/poll/collector-bundle.js';
import { makeCertificate } from '../mail/smtp-server.js';
import { runCli, stoppableIo } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';
import { answer, closedPort, silent, startPingServer, type Handler, type PingServer } from './ping-server.js';

/**
 * The heartbeat end to end: a real `metrix execute` of this machine (transport="local"), a real
 * HTTP server on 127.0.0.1 as the watcher, the real SQLite file, and a clock that moves only
 * when the test says, so runs minutes apart take no waiting.
 */
const TOKEN = 'S3CRET-T0KEN';
const MINUTE = 60_000;

const servers: PingServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function watcher(handle?: Handler): Promise<PingServer> {
  const server = await startPingServer(handle);
  servers.push(server);
  return server;
}

/** A project whose config pings `url`; `hosts` replaces the one local host. */
function project(url: string, attrs = '', hosts = '<host name="localhost" transport="local"/>'): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.xml'), `<metrix><hosts>${hosts}</hosts><heartbeat url="${url}" ${attrs}/></metrix>`);
  return dir;
}

function fakeClock(start = Date.now()): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** The heartbeat rows in the database: when the last accepted ping's run started. */
function beats(dir: string): Array<{ run_started_at: number; sent_at: number }> {
  const db = new Database(join(dir, 'metrix.db'), { readonly: true });
  const rows = db.prepare('SELECT run_started_at, sent_at FROM heartbeat').all() as Array<{ run_started_at: number; sent_at: number }>;
  db.close();
  return rows;
}

describe('metrix execute with a heartbeat', () => {
  it('pings after a good run, not again within every, and again once every has passed', async () => {
    const hc = await watcher();
    const dir = project(`${hc.origin}/ping/${TOKEN}?rid=1`, 'every="5m"');
    const clock = fakeClock();
    const t0 = clock.now();

    const first = await runCli(dir, ['execute'], clock.now);
    expect(first.code).toBe(0);
    expect(hc.requests).toEqual([{ method: 'GET', path: `/ping/${TOKEN}?rid=1`, userAgent: `metrix/${metrixVersion()}` }]);
    expect(first.stderr).toMatch(new RegExp(`INFO heartbeat sent to ${hc.origin} \\(HTTP 200\\)\\n`));
    expect(first.stderr).not.toContain(TOKEN);
    expect(beats(dir)).toEqual([{ run_started_at: t0, sent_at: t0 }]);

    clock.advance(MINUTE);
    const second = await runCli(dir, ['execute'], clock.now);
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain('heartbeat');
    clock.advance(3 * MINUTE);
    await runCli(dir, ['execute'], clock.now);
    expect(hc.requests).toHaveLength(1);
    expect(beats(dir)).toEqual([{ run_started_at: t0, sent_at: t0 }]);

    clock.advance(MINUTE); // 5m after the run that pinged
    const fifth = await runCli(dir, ['execute'], clock.now);
    expect(fifth.stderr).toContain('INFO heartbeat sent to');
    expect(hc.requests).toHaveLength(2);
    expect(beats(dir)).toEqual([{ run_started_at: t0 + 5 * MINUTE, sent_at: t0 + 5 * MINUTE }]);
  });

  it('every="0" pings after every run', async () => {
    const hc = await watcher();
    const dir = project(`${hc.origin}/${TOKEN}`, 'every="0"');
    const clock = fakeClock();
    await runCli(dir, ['execute'], clock.now);
    await runCli(dir, ['execute'], clock.now);
    expect(hc.requests).toHaveLength(2);
  });

  it('a new URL is a new check: pinged at once, whatever the old one was told', async () => {
    const hc = await watcher();
    const clock = fakeClock();
    const dir = project(`${hc.origin}/old-${TOKEN}`, 'every="1h"');
    await runCli(dir, ['execute'], clock.now);
    writeFileSync(join(dir, 'config.xml'), `<metrix><hosts><host name="localhost" transport="local"/></hosts><heartbeat url="${hc.origin}/new-${TOKEN}" every="1h"/></metrix>`);
    clock.advance(MINUTE);
    await runCli(dir, ['execute'], clock.now);
    expect(hc.requests.map((r) => r.path)).toEqual([`/old-${TOKEN}`, `/new-${TOKEN}`]);
  });

  it.each([
    ['answers 500', async () => (await watcher(answer(500, 'oops'))).origin, 'HTTP 500'],
    ['refuses connections', async () => `http://127.0.0.1:${await closedPort()}`, 'connection refused'],
    ['never answers', async () => (await watcher(silent)).origin, 'no answer within 1s (timeout)'],
  ])('a watcher that %s: exit 0, one WARN naming the origin only, and the next run tries again', async (_label, start, reason) => {
    const origin = await start();
    const dir = project(`${origin}/ping/${TOKEN}`, 'every="5m" timeout="1s"');
    const clock = fakeClock();
    const run = await runCli(dir, ['execute'], clock.now);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^polled 1 host in [\d.]+s: 1 ok, 0 failed\n$/);
    const warnings = run.stderr.split('\n').filter((line) => line.includes('heartbeat'));
    expect(warnings).toEqual([expect.stringMatching(/ WARN heartbeat to .* failed: .*; the next run tries again$/)]);
    expect(warnings[0]).toContain(`WARN heartbeat to ${origin} failed: ${reason}; the next run tries again`);
    expect(run.stderr).not.toContain(TOKEN);
    expect(beats(dir)).toEqual([]);

    // The throttle did not move: a minute later, well within every, the next run tries again.
    clock.advance(MINUTE);
    const again = await runCli(dir, ['execute'], clock.now);
    expect(again.stderr).toContain(`WARN heartbeat to ${origin} failed: ${reason}`);
  });

  it('pings when some hosts failed (their alerts say so), not when every host failed', async () => {
    const hc = await watcher();
    const clock = fakeClock();
    // f9 has no key yet: its poll fails at once ("not uploaded"), without touching the network.
    const broken = '<host name="f9" address="127.0.0.1" port="1"/>';
    const some = project(`${hc.origin}/${TOKEN}`, '', `<host name="localhost" transport="local"/>${broken}`);
    const partly = await runCli(some, ['execute'], clock.now);
    expect(partly.code).toBe(1);
    expect(partly.stderr).toContain('INFO heartbeat sent to');
    expect(hc.requests).toHaveLength(1);

    const all = project(`${hc.origin}/${TOKEN}`, '', broken);
    const none = await runCli(all, ['execute'], clock.now);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`WARN heartbeat to ${hc.origin} not sent: every host failed this run (1 of 1); the watcher raises the alarm if this goes on\n`);
    expect(hc.requests).toHaveLength(1);
    expect(beats(all)).toEqual([]);
  });

  it('a lock refused run does not ping', async () => {
    const hc = await watcher();
    const dir = project(`${hc.origin}/${TOKEN}`, 'every="0"');
    await runCli(dir, ['execute']);
    const db = new Database(join(dir, 'metrix.db'));
    // A live holder: this very process, as the lock records it.
    const { currentHolder } = await import('../../src/store/run-lock.js');
    const me = currentHolder();
    db.prepare('INSERT INTO run_lock (id, pid, machine, proc_start, acquired_at) VALUES (1, ?, ?, ?, ?)').run(me.pid, me.machine, me.procStart, Date.now());
    db.close();
    const refused = await runCli(dir, ['execute', '--wait', '0']);
    expect(refused.code).toBe(3);
    expect(hc.requests).toHaveLength(1);
  });
});

describe('the metrix process', () => {
  it('pings an HTTPS watcher whose CA comes from NODE_EXTRA_CA_CERTS, and exits 0', async () => {
    const dir = tempDir();
    const certificate = makeCertificate(dir);
    const hc = await startPingServer(answer(200, 'OK'), certificate);
    servers.push(hc);
    writeFileSync(join(dir, 'config.xml'), `<metrix><hosts><host name="localhost" transport="local"/></hosts><heartbeat url="${hc.origin}/ping/${TOKEN}"/></metrix>`);
    const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'metrix.js'), 'execute'], {
      cwd: dir,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: certificate.certPath },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toMatch(new RegExp(`Z INFO heartbeat sent to ${hc.origin} \\(HTTP 200\\)\\n`));
    expect(stderr).not.toContain(TOKEN);
    expect(code).toBe(0);
    expect(hc.requests.map((r) => r.path)).toEqual([`/ping/${TOKEN}`]);
  });
});

describe('metrix execute stopped by SIGTERM', () => {

  it('after the hosts are stored: no alerts, no ping', async () => {
    const hc = await watcher();
    const dir = project(`${hc.origin}/${TOKEN}`, 'every="0"');
    const { io, stderr } = stoppableIo(dir, (text) => text.includes('INFO stored '));
    expect(await main(['node', 'metrix', 'execute'], io)).toBe(143);
    expect(stderr()).toMatch(/WARN stopped by SIGTERM/);
    expect(stderr()).not.toContain('heartbeat');
    expect(hc.requests).toEqual([]);
    expect(beats(dir)).toEqual([]);
  });

  it('while the ping waits for an answer: the ping is cut short, not recorded, and the run ends 143', async () => {
    const hc = await watcher(silent);
    const dir = project(`${hc.origin}/${TOKEN}`, 'timeout="1m"');
    const { io, stderr, sigterm } = stoppableIo(dir);
    const running = main(['node', 'metrix', 'execute'], io);
    await hc.received(1);
    sigterm();
    expect(await running).toBe(143);
    expect(stderr()).toContain(`WARN heartbeat to ${hc.origin} failed: stopped by a signal; the next run tries again\n`);
    expect(beats(dir)).toEqual([]);
  });
});

describe('heartbeatDue', () => {
  const last = { runStartedAt: 1_000_000, sentAt: 1_003_000 };
  it.each([
    ['never pinged', undefined, 1_000_000, 5 * MINUTE, true],
    ['every 0', last, 1_000_000, 0, true],
    ['within every', last, 1_000_000 + 4 * MINUTE, 5 * MINUTE, false],
    ['exactly every later', last, 1_000_000 + 5 * MINUTE, 5 * MINUTE, true],
    ['a little early (cron jitter)', last, 1_000_000 + MINUTE - 200, MINUTE, true],
    ['a tenth early is the most', last, 1_000_000 + 0.9 * MINUTE - 1, MINUTE, false],
    ['at most 30s early on long periods', last, 1_000_000 + 60 * MINUTE - 31_000, 60 * MINUTE, false],
    ['the clock went back', last, 1_000_000 - MINUTE, 5 * MINUTE, true],
  ])('%s', (_label, beat, now, every, due) => {
    expect(heartbeatDue(beat, now, every)).toBe(due);
  });
});
