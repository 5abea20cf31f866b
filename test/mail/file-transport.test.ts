import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MailConfig } from '../../src/config/types.js';
import { composeAlertMail } from '../../src/mail/compose.js';
import { packageRoot } from '../../src/poll/collector-bundle.js';
import { buildRawMessage, createMailer } from '../../src/mail/transport.js';
import { tempDir } from '../helpers/tmp.js';
import { giveToUnprivileged, runNodeUnprivileged } from '../helpers/unprivileged.js';
import { notification, NOW, parseCsv, recordingChart } from './helpers.js';
import { parseMail } from './smtp-server.js';

const fileConfig = (dir: string): MailConfig => ({ transport: 'file', giveUpAfterMs: 86_400_000, from: 'metrix@example.org', to: ['ops@example.org'], dir });
const compose = (id: string) => composeAlertMail(notification({ id }), { from: 'metrix@example.org', chart: recordingChart().render });

describe('file transport', () => {
  it('writes one parseable .eml with the same subject and parts as the SMTP build', async () => {
    const dir = join(tempDir(), 'outbox');
    const message = await compose('n-1');
    const result = await createMailer(fileConfig(dir), { password: undefined }).send(message);
    expect(result).toMatchObject({ ok: true, messageId: '<n-1@metrix>' });
    expect(readdirSync(dir)).toEqual(['20261122T040000Z-n-1@metrix.eml']);
    expect(statSync(dir).mode & 0o777).toBe(0o700);

    const raw = readFileSync(join(dir, '20261122T040000Z-n-1@metrix.eml'));
    expect(raw.includes('\r\n')).toBe(true);
    expect(raw.toString('latin1').replace(/\r\n/g, '')).not.toMatch(/\n/);
    const fromFile = await parseMail(raw);
    const fromBuild = await parseMail((await buildRawMessage(message)).raw);
    expect(fromFile.subject).toBe(message.subject);
    expect(fromFile.messageId).toBe('<n-1@metrix>');
    expect(fromFile.text).toBe(fromBuild.text);
    expect(fromFile.html).toBe(fromBuild.html);
    expect(fromFile.attachments.map((a) => [a.filename, a.contentType, a.content.toString('base64')])).toEqual(
      message.attachments.map((a) => [a.filename, a.contentType.split(';')[0], a.content.toString('base64')]),
    );
    const csv = fromFile.attachments.find((a) => a.filename?.endsWith('.csv'));
    expect(parseCsv(csv?.content.toString('utf8') ?? '')).toHaveLength(31);
  });

  it('gives two messages of the same second two files, and a resend of one the same file', async () => {
    const dir = tempDir();
    const mailer = createMailer(fileConfig(dir), { password: undefined });
    expect(await mailer.send(await compose('n-1'))).toMatchObject({ ok: true });
    expect(await mailer.send(await compose('n-2'))).toMatchObject({ ok: true });
    expect(await mailer.send(await compose('n-1'))).toMatchObject({ ok: true });
    expect(readdirSync(dir).sort()).toEqual(['20261122T040000Z-n-1@metrix.eml', '20261122T040000Z-n-2@metrix.eml']);
  });

  it('sendRaw writes exactly the bytes it is given', async () => {
    const dir = tempDir();
    const built = await buildRawMessage(await compose('n-3'));
    expect(await createMailer(fileConfig(dir), { password: undefined }).sendRaw(built)).toMatchObject({ ok: true, messageId: '<n-3@metrix>' });
    expect(readFileSync(join(dir, '20261122T040000Z-n-3@metrix.eml')).equals(built.raw)).toBe(true);
  });

  it('leaves no temporary file behind', async () => {
    const dir = tempDir();
    await createMailer(fileConfig(dir), { password: undefined }).send(await compose('n-1'));
    expect(readdirSync(dir).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('verify() makes the directory and checks it is writable', async () => {
    const dir = join(tempDir(), 'new', 'outbox');
    expect(await createMailer(fileConfig(dir), { password: undefined }).verify()).toMatchObject({ ok: true });
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it('a directory that cannot be written: config failure naming it', async () => {
    const parent = tempDir();
    const blocker = join(parent, 'not-a-dir');
    writeFileSync(blocker, '');
    const result = await createMailer(fileConfig(join(blocker, 'outbox')), { password: undefined }).send(await compose('n-1'));
    expect(result).toMatchObject({ ok: false, kind: 'config', retryable: false });
    expect(result.ok ? '' : result.message).toContain(join(blocker, 'outbox'));
  });

  // Root writes anywhere, so this runs the real CLI as an unprivileged user (nobody, when root).
  it.each([
    ['a directory its user may not write is refused', 0o500, 1, /^metrix: mail test failed \(config\): cannot write mail into .*outbox \(EACCES: .*make dir= in <mail> a directory the user running metrix can write\n$/],
    ['the same directory, writable, takes the test message', 0o700, 0, /^$/],
  ])('metrix mail test, file transport: %s', async (_name, mode, code, stderr) => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    writeFileSync(
      join(dir, 'config.xml'),
      '<metrix><hosts><host name="localhost" transport="local"/></hosts><mail transport="file" dir="./outbox" from="metrix@example.org" to="ops@example.org"/></metrix>\n',
      { mode: 0o644 },
    );
    const outbox = join(dir, 'outbox');
    mkdirSync(outbox);
    giveToUnprivileged(outbox);
    chmodSync(outbox, mode);
    const run = await runNodeUnprivileged([join(packageRoot(), 'bin', 'metrix.js'), 'mail', 'test'], dir);
    chmodSync(outbox, 0o700);
    expect(run.stderr).toMatch(stderr);
    expect(run.code).toBe(code);
    expect(readdirSync(outbox)).toHaveLength(code === 0 ? 1 : 0);
  });
});

describe('message dates', () => {
  it('the Date header is the notification time, so a rebuilt message is the same', async () => {
    const parsed = await parseMail((await buildRawMessage(await compose('n-1'))).raw);
    expect(parsed.date?.getTime()).toBe(NOW);
  });
});
