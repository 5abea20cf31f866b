import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { DUMMY_HASH, hashPassword, SCRYPT_COST, verifyPassword } from '../../src/serve/passwords.js';
import { Store } from '../../src/store/store.js';
import { captureIo } from '../helpers/io.js';
import { project, start, request, bearer, basic } from './harness.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'metrix.js');

async function cli(dir: string, args: readonly string[], password?: string) {
  const io = { ...captureIo(dir), ...(password === undefined ? {} : { readSecret: async () => password }) };
  const code = await main(['node', 'metrix', ...args], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe('passwords: scrypt with a salt per user, compared in constant time', () => {
  it('stores the cost and salt with the hash; the right password matches, others and the dummy hash do not', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(new RegExp(`^scrypt\\$${SCRYPT_COST.N}\\$8\\$1\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$`));
    expect(await hashPassword('correct horse battery')).not.toBe(hash); // a fresh salt each time
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('', DUMMY_HASH)).toBe(false);
    expect(await verifyPassword('x', 'not a hash')).toBe(false);
  });
});

describe('metrix user', () => {
  it('add (password from stdin), list, token, revoke, remove; the database holds only hashes', async () => {
    const p = project();
    expect((await cli(p.dir, ['user', 'add', 'alice', '--role', 'admin'], 'correct horse battery'))).toMatchObject({ code: 0, stdout: 'user alice added (admin)\n' });
    expect((await cli(p.dir, ['user', 'add', 'bob', '--role', 'viewer'], 'another good one'))).toMatchObject({ code: 0 });
    expect((await cli(p.dir, ['user', 'add', 'bob', '--role', 'admin'], 'a new password'))).toMatchObject({ code: 0, stdout: 'user bob updated (admin)\n' });
    const token = await cli(p.dir, ['user', 'token', 'alice']);
    expect(token.stdout).toMatch(/^mtx_[A-Za-z0-9_-]{43}\n$/);
    expect(token.stderr).toMatch(/shown this once/);
    const list = await cli(p.dir, ['user', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([
      { name: 'alice', role: 'admin', createdAt: expect.any(Number), tokens: 1 },
      { name: 'bob', role: 'admin', createdAt: expect.any(Number), tokens: 0 },
    ]);
    const store = Store.open(p.database, { readonly: true });
    const dump = JSON.stringify([store.users.find('alice'), store.users.find('bob')]);
    store.close();
    expect(dump).not.toContain('correct horse battery');
    expect(dump).not.toContain(token.stdout.trim());

    const server = await start(p);
    expect((await request(server.url, '/api/v1/hosts', { headers: bearer(token.stdout.trim()) })).status).toBe(200);
    expect((await request(server.url, '/api/v1/hosts', { headers: basic('bob', 'a new password') })).status).toBe(200);
    expect((await cli(p.dir, ['user', 'revoke', 'alice'])).stdout).toBe('1 token of alice revoked\n');
    expect((await request(server.url, '/api/v1/hosts', { headers: bearer(token.stdout.trim()) })).status).toBe(401);
    expect((await cli(p.dir, ['user', 'remove', 'bob'])).code).toBe(0);
    expect((await request(server.url, '/api/v1/hosts', { headers: basic('bob', 'a new password') })).status).toBe(401);
  });

  it.each([
    [['user', 'add', 'alice', '--role', 'root'], 'correct horse battery', /argument 'root' is invalid|--role/],
    [['user', 'add', 'alice'], 'correct horse battery', /--role/],
    [['user', 'add', 'al ice', '--role', 'viewer'], 'correct horse battery', /user name "al ice"/],
    [['user', 'add', 'alice', '--role', 'viewer'], 'short', /password too short/],
    [['user', 'remove', 'nobody'], undefined, /no user "nobody"/],
    [['user', 'token', 'nobody'], undefined, /no user "nobody"/],
    [['user', 'revoke', 'nobody'], undefined, /no user "nobody"/],
  ])('exit 2 with a clear message: %j', async (args, password, message) => {
    const p = project();
    const result = await cli(p.dir, args, password);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('the real binary reads the password from piped stdin', () => {
    const p = project();
    const add = spawnSync(process.execPath, [BIN, 'user', 'add', 'carol', '--role', 'viewer'], { cwd: p.dir, input: 'piped password 1\nignored second line\n', encoding: 'utf8', timeout: 60_000 });
    expect(add.stderr).toBe('');
    expect(add.stdout).toBe('user carol added (viewer)\n');
    expect(add.status).toBe(0);
  });
});
