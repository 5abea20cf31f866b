import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFarm, type Farm } from '../farm/farm.js';
import { sshdMissing } from '../farm/sshd.js';
import { makeTransport } from './helpers.js';

let farm: Farm;
const modeOf = (path: string): number => statSync(path).mode & 0o7777;
const file = (name: string, text: string, mode: number) => ({ name, content: Buffer.from(text), mode });

describe.skipIf(sshdMissing())('upload over SFTP, and small commands', () => {
  beforeAll(async () => {
    farm = await startFarm({ servers: 1 });
  });
  afterAll(async () => {
    await farm?.stop();
  });

  it('makes remoteDir (mkdir -p, 0700), writes each file with its mode, then skips identical ones', async () => {
    const host = farm.host('up', farm.servers[0]!, { remoteDir: join(farm.dir, 'remote', 'deep', 'er', 'metrix') });
    const { transport } = makeTransport([host]);
    const files = [file('metrix-collector.js', 'console.log(1)\n', 0o700), file('host.key', 'secret', 0o600)];
    expect(await transport.upload(host, files)).toEqual({ ok: true, value: { uploaded: ['metrix-collector.js', 'host.key'], skipped: [] } });
    expect(modeOf(host.remoteDir)).toBe(0o700);
    expect(readFileSync(join(host.remoteDir, 'host.key'), 'utf8')).toBe('secret');
    expect(modeOf(join(host.remoteDir, 'host.key'))).toBe(0o600);
    expect(modeOf(join(host.remoteDir, 'metrix-collector.js'))).toBe(0o700);

    chmodSync(join(host.remoteDir, 'host.key'), 0o644);
    const changed = [file('metrix-collector.js', 'console.log(2)\n', 0o700), files[1]!];
    expect(await transport.upload(host, changed)).toEqual({ ok: true, value: { uploaded: ['metrix-collector.js'], skipped: ['host.key'] } });
    expect(readFileSync(join(host.remoteDir, 'metrix-collector.js'), 'utf8')).toBe('console.log(2)\n');
    expect(modeOf(join(host.remoteDir, 'host.key'))).toBe(0o600);
    await transport.close();
  });

  it("keeps an existing remoteDir's mode (0755 stays 0755) and replaces a same-size file with different bytes", async () => {
    const host = farm.host('loose', farm.servers[0]!);
    mkdirSync(host.remoteDir, { recursive: true, mode: 0o755 });
    chmodSync(host.remoteDir, 0o755);
    writeFileSync(join(host.remoteDir, 'a'), 'AAAA');
    const { transport } = makeTransport([host]);
    const outcome = await transport.upload(host, [file('a', 'BBBB', 0o600)]);
    await transport.close();
    expect(outcome).toEqual({ ok: true, value: { uploaded: ['a'], skipped: [] } });
    expect(modeOf(host.remoteDir)).toBe(0o755);
    expect(readFileSync(join(host.remoteDir, 'a'), 'utf8')).toBe('BBBB');
  });

  it('refuses a remoteDir below a directory everyone may write without the sticky bit, and creates nothing', async () => {
    const shared = join(farm.dir, 'remote', 'shared-open');
    mkdirSync(shared, { recursive: true });
    chmodSync(shared, 0o777);
    const host = farm.host('under-open', farm.servers[0]!, { remoteDir: join(shared, 'metrix') });
    const { transport } = makeTransport([host]);
    const outcome = await transport.upload(host, [file('a', 'x', 0o600)]);
    await transport.close();
    expect(outcome.ok ? 'uploaded' : outcome.failure.message).toMatch(/shared-open, above remoteDir .*, is writable by everyone without the sticky bit \(mode 0777\)/);
    expect(readdirSync(shared)).toEqual([]);
    expect(modeOf(shared)).toBe(0o777);
  });

  it('uses an existing 0700 remoteDir of the login user as it is, leaving no probe behind', async () => {
    const host = farm.host('private', farm.servers[0]!);
    mkdirSync(host.remoteDir, { recursive: true, mode: 0o700 });
    const { transport } = makeTransport([host]);
    expect(await transport.upload(host, [file('a', 'x', 0o600)])).toEqual({ ok: true, value: { uploaded: ['a'], skipped: [] } });
    await transport.close();
    expect(modeOf(host.remoteDir)).toBe(0o700);
    expect(readdirSync(host.remoteDir)).toEqual(['a']);
  });

  // Issue #7 item 16: upload used to chmod a shared 1777 directory to 0700.
  it.each([
    ['1777', 0o1777, 'is writable by everyone (mode 1777), who could replace the collector; metrix leaves its mode alone'],
    ['0777', 0o777, 'is writable by everyone (mode 0777)'],
    ['0770', 0o770, 'is writable by its group (mode 0770)'],
  ])('refuses an existing remoteDir of mode %s and never changes it', async (_label, mode, reason) => {
    const host = farm.host(`shared${mode.toString(8)}`, farm.servers[0]!);
    mkdirSync(host.remoteDir, { recursive: true });
    chmodSync(host.remoteDir, mode);
    const { transport } = makeTransport([host]);
    const outcome = await transport.upload(host, [file('metrix-collector.js', 'x', 0o700)]);
    await transport.close();
    expect(outcome.ok || outcome.failure.reason).toBe('ssh');
    expect(outcome.ok || outcome.failure.message).toContain(`upload to ${host.name} failed: remoteDir ${host.remoteDir} ${reason}`);
    expect(outcome.ok || outcome.failure.message).toContain(`chmod go-w ${host.remoteDir}`);
    expect(modeOf(host.remoteDir)).toBe(mode);
    expect(readdirSync(host.remoteDir)).toEqual([]);
  });

  it('refuses a remoteDir that is a symbolic link', async () => {
    const host = farm.host('linked', farm.servers[0]!);
    const target = join(farm.dir, 'link-target');
    mkdirSync(target, { mode: 0o700 });
    symlinkSync(target, host.remoteDir);
    const { transport } = makeTransport([host]);
    const outcome = await transport.upload(host, [file('a', 'x', 0o600)]);
    const slashed = await transport.upload({ ...host, remoteDir: `${host.remoteDir}/` }, [file('a', 'x', 0o600)]);
    await transport.close();
    expect(outcome.ok || outcome.failure.message).toBe(`upload to linked failed: remoteDir ${host.remoteDir} is a symbolic link; set remoteDir to the directory it points to`);
    expect(slashed.ok || slashed.failure.message).toBe(`upload to linked failed: remoteDir ${host.remoteDir} is a symbolic link; set remoteDir to the directory it points to`);
    expect(readdirSync(target)).toEqual([]);
  });

  // Only root can write into another user's 0700 directory, and only root would then run a collector that user could replace.
  it.skipIf(process.getuid?.() !== 0)('refuses (as root) a remoteDir owned by another user', async () => {
    const host = farm.host('theirs', farm.servers[0]!);
    mkdirSync(host.remoteDir, { recursive: true, mode: 0o700 });
    chownSync(host.remoteDir, 65534, 65534);
    const { transport } = makeTransport([host]);
    const outcome = await transport.upload(host, [file('a', 'x', 0o600)]);
    await transport.close();
    expect(outcome.ok || outcome.failure.message).toBe(
      `upload to theirs failed: remoteDir ${host.remoteDir} belongs to uid 65534, not to the login user (uid 0), who could replace the collector; set remoteDir to a directory of the login user's own (metrix creates it 0700)`,
    );
    expect(readdirSync(host.remoteDir)).toEqual([]);
  });

  it('fails as a value when remoteDir cannot be made', async () => {
    const blocker = await farm.file('not-a-dir', 'x');
    const host = farm.host('blocked', farm.servers[0]!, { remoteDir: join(blocker, 'metrix') });
    const { transport } = makeTransport([host]);
    const outcome = await transport.upload(host, [file('a', 'x', 0o600)]);
    await transport.close();
    expect(outcome.ok || outcome.failure.reason).toBe('ssh');
    expect(outcome.ok || outcome.failure.message).toContain(`upload to blocked failed: ${blocker} exists and is not a directory`);
  });

  it('refuses a file name that is not a plain name', async () => {
    const host = farm.host('names', farm.servers[0]!);
    const { transport } = makeTransport([host]);
    await expect(transport.upload(host, [file('../escape', 'x', 0o600)])).rejects.toThrow(/not a plain file name/);
    await transport.close();
  });

  it('reports node --version and runs commands whatever their exit status', async () => {
    const host = farm.host('cmd', farm.servers[0]!);
    const { transport } = makeTransport([host]);
    expect(await transport.nodeVersion(host)).toEqual({ ok: true, value: process.version });
    const run = await transport.runCommand(host, ['sh', '-c', 'printf "%s" "$1"; echo oops >&2; exit 5', 'sh', 'a b']);
    expect(run).toEqual({ ok: true, value: { stdout: 'a b', stderr: 'oops\n', exitCode: 5, signal: undefined } });
    const missing = await transport.nodeVersion({ ...host, node: '/nonexistent/node' });
    expect(missing.ok || missing.failure.message).toMatch(/^\/nonexistent\/node --version on cmd exited with status 127: .*(No such file|not found)/);
    await transport.close();
  });

  it('uploaded bytes are exactly the local bytes (sha256)', async () => {
    const host = farm.host('bytes', farm.servers[0]!);
    const content = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));
    const { transport } = makeTransport([host]);
    await transport.upload(host, [{ name: 'blob', content, mode: 0o600 }]);
    await transport.close();
    const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    expect(digest(readFileSync(join(host.remoteDir, 'blob')))).toBe(digest(content));
  });
});
