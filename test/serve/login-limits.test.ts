import { describe, expect, it } from 'vitest';
import { LoginLimiter, type Admission } from '../../src/serve/login-limiter.js';
import { hashPassword } from '../../src/serve/passwords.js';
import { basic, json, PASSWORD, project, request, start, withStore, type Reply } from './harness.js';

const T0 = Date.parse('2026-11-22T08:00:00Z');

describe('parallel wrong passwords do not slip past the limit', () => {
  it.each([
    ['the login form', (url: string) => request(url, '/api/v1/session', { method: 'POST', ...json({ user: 'admin', password: 'wrong password' }) })],
    ['Basic on an API route', (url: string) => request(url, '/api/v1/hosts', { headers: basic('admin', 'wrong password') })],
  ])('%s: of 60 at once, at most 5 get a password check (401), the rest 429 with Retry-After', async (_name, attempt: (url: string) => Promise<Reply>) => {
    const p = project();
    // The real scrypt cost: the checks take long enough to overlap, as they do in production.
    const hash = await hashPassword(PASSWORD);
    withStore(p, (store) => store.users.put('admin', 'admin', hash, T0));
    const clock = (): number => T0;
    const server = await start(p, { clock, limiter: new LoginLimiter(clock) });
    const replies = await Promise.all(Array.from({ length: 60 }, () => attempt(server.url)));
    const checked = replies.filter((r) => r.status === 401).length;
    expect(checked).toBeGreaterThanOrEqual(1);
    expect(checked).toBeLessThanOrEqual(5);
    const refused = replies.filter((r) => r.status === 429);
    expect(refused).toHaveLength(60 - checked);
    for (const r of refused) expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Still limited afterwards: the right password waits too.
    expect((await request(server.url, '/api/v1/session', { method: 'POST', ...json({ user: 'admin', password: PASSWORD }) })).status).toBe(checked === 5 ? 429 : 200);
  });
});

describe('LoginLimiter: who can lock out whom (fake clock)', () => {
  const admit = (limiter: LoginLimiter, user: string, address: string, success: boolean): Admission => {
    const admitted = limiter.begin(user, address);
    if ('attempt' in admitted) limiter.end(admitted.attempt, success);
    return admitted;
  };
  const allowed = (a: Admission): boolean => 'attempt' in a;

  it('20 failures from a shared address (127.0.0.1 behind a proxy) stop new names there, not users who signed in there', () => {
    let now = T0;
    const limiter = new LoginLimiter(() => now);
    expect(allowed(admit(limiter, 'alice', '127.0.0.1', true))).toBe(true);
    for (let i = 0; i < 20; i++) expect(allowed(admit(limiter, `guess${i}`, '127.0.0.1', false))).toBe(true);
    expect(allowed(admit(limiter, 'mallory', '127.0.0.1', false))).toBe(false);
    now += 60_000;
    expect(allowed(admit(limiter, 'alice', '127.0.0.1', true))).toBe(true);
  });

  it('5 failures of a user from one address stop that user there only; 50 from many addresses stop it everywhere but where it is known', () => {
    let now = T0;
    const limiter = new LoginLimiter(() => now);
    expect(allowed(admit(limiter, 'scraper', '10.0.0.9', true))).toBe(true);
    for (let i = 0; i < 5; i++) admit(limiter, 'scraper', '10.6.6.6', false);
    const refused = limiter.begin('scraper', '10.6.6.6');
    expect(refused).toEqual({ wait: 15 * 60, why: 'too many failed logins' });
    expect(allowed(admit(limiter, 'scraper', '10.0.0.7', true))).toBe(true);
    for (let a = 0; a < 10; a++) for (let i = 0; i < 5; i++) admit(limiter, 'scraper', `10.6.7.${a}`, false);
    expect(allowed(limiter.begin('scraper', '10.0.0.8'))).toBe(false);
    expect(allowed(admit(limiter, 'scraper', '10.0.0.9', true))).toBe(true);
    now += 15 * 60_000 + 1;
    expect(allowed(admit(limiter, 'scraper', '10.0.0.8', true))).toBe(true);
  });

  it('a success takes back the failure it was counted as; at most 2 checks at once per address, 8 in all', () => {
    const limiter = new LoginLimiter(() => T0);
    for (let i = 0; i < 10; i++) expect(allowed(admit(limiter, 'alice', '::1', true))).toBe(true);
    const a = limiter.begin('alice', '::1');
    const b = limiter.begin('bob', '::1');
    expect(limiter.begin('carol', '::1')).toEqual({ wait: 1, why: 'other logins are being checked' });
    const others = Array.from({ length: 6 }, (_, i) => limiter.begin('dave', `10.0.0.${i}`));
    expect(others.every(allowed)).toBe(true);
    expect(allowed(limiter.begin('erin', '10.0.1.1'))).toBe(false);
    for (const x of [a, b, ...others]) if ('attempt' in x) limiter.end(x.attempt, true);
    expect(allowed(admit(limiter, 'carol', '::1', false))).toBe(true);
  });
});
