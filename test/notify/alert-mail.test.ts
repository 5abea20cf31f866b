import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { tempDir } from '../helpers/tmp.js';
import { KeyStore } from '../../src/crypto/key-store.js';
import { Store } from '../../src/store/store.js';
import { formatNumber } from '../../src/mail/format.js';
import { parseCsv, pngSize } from '../mail/helpers.js';
import { makeCertificate, parseMail, startSmtpServer, type TestSmtpServer } from '../mail/smtp-server.js';

/**
 * The alert mail end to end: metrix execute on this machine, a rule that fires, and a real
 * SMTP server on 127.0.0.1 with STARTTLS on a self-signed certificate and AUTH.
 */
const PASSWORD_ENV = 'METRIX_TEST_SMTP_PASSWORD';
const ENV = { [PASSWORD_ENV]: 's3cret' };
const MINUTE = 60_000;

const servers: TestSmtpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function smtp(dir: string, port?: number): Promise<TestSmtpServer> {
  const certificate = makeCertificate(dir);
  const server = await startSmtpServer({ security: 'starttls', certificate, auth: { user: 'metrix', password: 's3cret' }, ...(port ? { port } : {}) });
  servers.push(server);
  return server;
}

function project(dir: string, port: number, rules: string, hosts = ''): void {
  writeFileSync(
    join(dir, 'config.xml'),
    `<metrix>
  <hosts><host name="localhost" transport="local"/>${hosts}</hosts>
  <mail transport="smtp" host="127.0.0.1" port="${port}" security="starttls" user="metrix" passwordEnv="${PASSWORD_ENV}"
        caFile="${join(dir, 'server-cert.pem')}" from="metrix@example.org" to="ops@example.org, oncall@example.org"/>
  <alerts>${rules}</alerts>
</metrix>`,
  );
}

const MEM_RULE = (limit: number) => `<alert name="mem-used" metric="mem_percent" op="&gt;" value="${limit}" severity="critical"/>`;

/** A clock that moves only when asked: runs a minute apart without sleeping. */
function fakeClock(start = Date.now()): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

function db(dir: string): Database.Database {
  return new Database(join(dir, 'metrix.db'), { readonly: true });
}

describe('alert mail through a real SMTP server', () => {
  it('sends one mail with subject, parts, chart and CSV when a rule fires, and nothing more next run', async () => {
    const dir = tempDir();
    const server = await smtp(dir);
    project(dir, server.port, MEM_RULE(0.5));
    const clock = fakeClock();
    const run = await runCli(dir, ['execute'], clock.now, ENV);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/WARN \[localhost\] alert \d{4}-MEM-[0-9a-f]{3} mem-used firing/);
    expect(server.received).toHaveLength(1);
    const received = server.received[0]!;
    expect(received.user).toBe('metrix');
    expect(received.secure).toBe(true);
    expect([...received.to].sort()).toEqual(['oncall@example.org', 'ops@example.org']);

    const mail = await parseMail(received.raw);
    const database = db(dir);
    const alert = database.prepare("SELECT code, value FROM alerts WHERE rule = 'mem-used'").get() as { code: string; value: number };
    const queued = database.prepare('SELECT message_id, sent_at FROM outbox').all() as Array<{ message_id: string; sent_at: number }>;
    expect(mail.subject).toBe(`ALERT [localhost] mem_percent is ${formatNumber(alert.value)} > 0.5 (mem-used)`);
    expect(mail.messageId).toBe(queued[0]!.message_id);
    expect(queued[0]!.sent_at).toBe(clock.now());
    for (const part of [mail.text!, mail.html as string]) {
      expect(part).toContain(alert.code);
      expect(part).toContain('localhost');
      expect(part).toContain('0.5');
      expect(part).toContain('critical');
    }
    const chart = mail.attachments.find((a) => a.contentType === 'image/png')!;
    expect(pngSize(chart.content)).toMatchObject({ width: expect.any(Number), height: expect.any(Number) });
    expect(pngSize(chart.content)!.width).toBeGreaterThan(400);
    expect(mail.html).toContain(`cid:${chart.cid}`);
    const csv = parseCsv(mail.attachments.find((a) => a.contentType.startsWith('text/csv'))!.content.toString('utf8'));
    database.close();
    const reader = Store.open(join(dir, 'metrix.db'), { readonly: true });
    const stored = reader.range({ host: 'localhost', metric: 'mem_percent', since: 0, until: clock.now() }).flatMap((s) => s.points);
    reader.close();
    expect(csv[0]).toEqual(['code', 'host', 'metric', 'labels', 'time', 'value']);
    expect(csv.slice(1).map((row) => [row[0], row[1], row[2], Date.parse(row[4]!), Number(row[5])])).toEqual(
      stored.map((s) => [alert.code, 'localhost', 'mem_percent', s.ts, s.value]),
    );

    clock.advance(MINUTE);
    const again = await runCli(dir, ['execute'], clock.now, ENV);
    expect(again.code).toBe(0);
    expect(server.received).toHaveLength(1);
  });

  it('keeps mail in the outbox while the server is down and delivers it exactly once when it is back', async () => {
    const dir = tempDir();
    const server = await smtp(dir);
    const port = server.port;
    project(dir, port, MEM_RULE(0.5));
    await server.stop();
    servers.splice(0);
    const clock = fakeClock();

    const down = await runCli(dir, ['execute'], clock.now, ENV);
    expect(down.code).toBe(0);
    expect(down.stderr).toMatch(/ERROR mail "ALERT \[localhost\] mem_percent is [\d.]+ > 0.5 \(mem-used\)" not sent \(connection\): connection refused by 127.0.0.1:\d+.*retried on a later run/);

    const back = await smtp(dir, port);
    clock.advance(2 * MINUTE);
    await runCli(dir, ['execute'], clock.now, ENV);
    clock.advance(2 * MINUTE);
    await runCli(dir, ['execute'], clock.now, ENV);
    clock.advance(2 * MINUTE);
    await runCli(dir, ['execute'], clock.now, ENV);
    const subjects = await Promise.all(back.received.map(async (m) => (await parseMail(m.raw)).subject));
    // The alert queued while the server was down, once; and metrix telling that mail had failed, then that it works again.
    expect(subjects).toEqual([
      expect.stringMatching(/^ALERT \[localhost\] mem_percent is [\d.]+ > 0.5 \(mem-used\)$/),
      'ALERT [(metrix)] metrix_mail_ok is 0 == 0 (metrix-mail)',
      'RESOLVED [(metrix)] metrix_mail_ok is 1 (metrix-mail)',
    ]);
    const database = db(dir);
    const first = database.prepare('SELECT message_id, attempts, sent_at, last_error FROM outbox ORDER BY id LIMIT 1').get() as Record<string, unknown>;
    database.close();
    expect(first).toMatchObject({ attempts: 2, last_error: null });
    expect((await parseMail(back.received[0]!.raw)).messageId).toBe(first['message_id']);
  });

  it('gives up a message the server refuses for good (550) at once, logs it as an ERROR and raises metrix-mail', async () => {
    const dir = tempDir();
    const server = await smtp(dir);
    project(dir, server.port, MEM_RULE(0.5));
    const clock = fakeClock();
    server.mode = 'reject';
    const refused = await runCli(dir, ['execute'], clock.now, ENV);
    expect(refused.stderr).toMatch(/ERROR mail "ALERT \[localhost\] [^"]+" refused for good \(rejected\): 127\.0\.0\.1:\d+ rejected the message at DATA: 550 .*given up, not retried/);
    const database = db(dir);
    expect(database.prepare('SELECT attempts, given_up_at, last_error FROM outbox').all()).toEqual([
      { attempts: 1, given_up_at: clock.now(), last_error: expect.stringMatching(/^rejected \(permanent\): .*550/) },
    ]);
    database.close();

    server.mode = 'accept';
    clock.advance(2 * MINUTE);
    await runCli(dir, ['execute'], clock.now, ENV);
    const subjects = await Promise.all(server.received.map(async (m) => (await parseMail(m.raw)).subject));
    // The refused alert is not tried again; metrix says its mail is broken.
    expect(subjects).toEqual(['ALERT [(metrix)] metrix_mail_ok is 0 == 0 (metrix-mail)']);
  });

  it('mails "resolved" when the condition clears, and a reminder only after repeat', async () => {
    const dir = tempDir();
    const server = await smtp(dir);
    const clock = fakeClock();
    project(dir, server.port, MEM_RULE(0.5).replace('/>', ' repeat="10m"/>'));
    await runCli(dir, ['execute'], clock.now, ENV);
    clock.advance(5 * MINUTE);
    await runCli(dir, ['execute'], clock.now, ENV);
    expect(server.received).toHaveLength(1);
    clock.advance(5 * MINUTE);
    await runCli(dir, ['execute'], clock.now, ENV);
    expect(server.received).toHaveLength(2);
    expect((await parseMail(server.received[1]!.raw)).subject).toMatch(/^REMINDER \[localhost\] mem_percent is [\d.]+ > 0.5 \(mem-used\)$/);

    project(dir, server.port, MEM_RULE(99.99).replace('/>', ' repeat="10m"/>'));
    clock.advance(MINUTE);
    await runCli(dir, ['execute'], clock.now, ENV);
    expect(server.received).toHaveLength(3);
    expect((await parseMail(server.received[2]!.raw)).subject).toMatch(/^RESOLVED \[localhost\] mem_percent is [\d.]+ \(mem-used\)$/);
    const list = await runCli(dir, ['alerts', '--json'], clock.now);
    expect(JSON.parse(list.stdout)).toMatchObject([{ rule: 'mem-used', state: 'resolved', resolvedAt: clock.now() }]);
  });

  it('records a silenced alert without mailing it, and says why in metrix alerts', async () => {
    const dir = tempDir();
    const server = await smtp(dir);
    const clock = fakeClock();
    project(dir, server.port, MEM_RULE(0.5));
    const added = await runCli(dir, ['silence', 'add', '-h', 'localhost', '--rule', 'mem-used', '--for', '2h', '--comment', 'kernel update'], clock.now);
    expect(added.stdout).toMatch(/^silence #1 until .*: host localhost, rule mem-used\n$/);
    await runCli(dir, ['execute'], clock.now, ENV);
    expect(server.received).toHaveLength(0);
    const firing = await runCli(dir, ['alerts', '--firing'], clock.now);
    expect(firing.stdout).toMatch(/mem-used\s+mem_percent\s+firing.*silenced by #1 until .* \(kernel update\)/);

    expect((await runCli(dir, ['silence', 'remove', '1'], clock.now)).stdout).toBe('silence #1 ended\n');
    clock.advance(MINUTE);
    await runCli(dir, ['execute'], clock.now, ENV);
    expect(server.received).toHaveLength(1);
  });

  it('says a host is down in the mail, holding back its other alerts', async () => {
    const dir = tempDir();
    const server = await smtp(dir);
    const clock = fakeClock();
    const rules = `${MEM_RULE(0.5)}<alert name="host-down" metric="host_up" op="==" value="0" severity="critical"/>`;
    project(dir, server.port, rules, '<host name="f4" address="127.0.0.1" port="1"/>');
    KeyStore.open(join(dir, 'keys')).store.ensureHostKeys('f4'); // as if uploaded before it went down
    await runCli(dir, ['execute'], clock.now, ENV);
    expect(server.received).toHaveLength(1);
    const mail = await parseMail(server.received[0]!.raw);
    expect(mail.subject).toMatch(/^ALERT f4 down, 1 firing/);
    expect(mail.text).toMatch(/f4 is down since [^\n]*: auth: no way to log in to \w+@f4[^\n]*its other alerts are held back/);
  });

  it('reports hosts metrix itself cannot read as one metrix-poller alert, not as hosts down', async () => {
    const dir = tempDir();
    const server = await smtp(dir);
    const clock = fakeClock();
    const rules = '<alert name="host-down" metric="host_up" op="==" value="0" severity="critical"/>';
    project(dir, server.port, rules, ['f4', 'f5', 'f6'].map((name) => `<host name="${name}" address="127.0.0.1" port="1"/>`).join(''));
    await runCli(dir, ['execute'], clock.now, ENV);
    expect(server.received).toHaveLength(1);
    expect((await parseMail(server.received[0]!.raw)).subject).toBe('ALERT [(metrix)] metrix_poll_failures{reason=not-uploaded} is 3 > 0 (metrix-poller)');
    const firing = JSON.parse((await runCli(dir, ['alerts', '--firing', '--json'], clock.now)).stdout) as Array<{ rule: string; host: string; muted?: string }>;
    expect(firing.filter((a) => a.rule === 'host-down').map((a) => [a.host, a.muted])).toEqual(
      ['f6', 'f5', 'f4'].map((host) => [host, "held back: metrix's own problem, not the host's (see the metrix-poller alert)"]),
    );
  });

  it('mail test says plainly what failed, and sends when it can', async () => {
    const dir = tempDir();
    const server = await smtp(dir);
    project(dir, server.port, '');
    const wrong = await runCli(dir, ['mail', 'test'], Date.now, { [PASSWORD_ENV]: 'wrong' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/mail test failed \(auth\): SMTP auth failed for user metrix at 127.0.0.1:\d+: 535/);
    const missing = await runCli(dir, ['mail', 'test'], Date.now, {});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/METRIX_TEST_SMTP_PASSWORD is not set/);
    const good = await runCli(dir, ['mail', 'test', '--to', 'me@example.org'], Date.now, ENV);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/test message sent to me@example.org/);
    expect(server.received.map((m) => m.to)).toEqual([['me@example.org']]);
  });
});
