import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../helpers/io.js';
import { addUser, PASSWORD, project, request, signIn, start, withStore, type Project } from './harness.js';

async function metrix(p: Project, args: readonly string[], password?: string): Promise<number> {
  const io = { ...captureIo(p.dir), ...(password === undefined ? {} : { readSecret: async () => password }) };
  return main(['node', 'metrix', ...args], io);
}

describe('a session ends when its user changes', () => {
  it.each([
    ['a new password (metrix user add again)', (p: Project) => metrix(p, ['user', 'add', 'alice', '--role', 'admin'], 'a brand new password')],
    ['the same password set again (a new salt)', (p: Project) => metrix(p, ['user', 'add', 'alice', '--role', 'admin'], PASSWORD)],
    ['another role', (p: Project) => withStore(p, (store) => store.users.put('alice', 'viewer', store.users.find('alice')!.password, 0))],
    ['removed and added again with the same hash', (p: Project) => withStore(p, (store) => {
      const hash = store.users.find('alice')!.password;
      store.users.remove('alice');
      store.users.put('alice', 'admin', hash, 0);
    })],
  ])('%s: the old cookie is 401', async (_name, change: (p: Project) => unknown) => {
    const p = project();
    await addUser(p, 'alice', 'admin');
    await addUser(p, 'bob', 'viewer');
    const server = await start(p);
    const alice = await signIn(server.url, 'alice');
    const bob = await signIn(server.url, 'bob');
    expect((await request(server.url, '/api/v1/hosts', { headers: { cookie: alice.cookie } })).status).toBe(200);
    await change(p);
    expect((await request(server.url, '/api/v1/hosts', { headers: { cookie: alice.cookie } })).status).toBe(401);
    expect((await request(server.url, '/api/v1/session', { headers: { cookie: alice.cookie } })).status).toBe(401);
    expect((await request(server.url, '/api/v1/hosts', { headers: { cookie: bob.cookie } })).status).toBe(200);
  });
});
