import { describe, expect, it } from 'vitest';

// The page's own module, as the browser runs it (plain JS, no types: imported by a computed path).
const MODULE = '../../src/web/next-page.js';
const { safeNext } = (await import(MODULE)) as { safeNext: (search: string, origin: string) => string };

const ORIGIN = 'https://monitor.example.org:8443';

describe('after signing in, the login page goes only to a page of this server', () => {
  it.each([
    ['?next=%2Fhost%2Ff4%3Frange%3D7d%23cpu', '/host/f4?range=7d#cpu'],
    ['?next=%2Falerts', '/alerts'],
    ['', '/'],
    ['?next=', '/'],
    ['?next=%2F%09%2Fevil.example', '/'],
    ['?next=%2F%0A%2Fevil.example', '/'],
    ['?next=%2F%0D%2Fevil.example%2Fx', '/'],
    ['?next=%2F%2Fevil.example', '/'],
    ['?next=%2F%5Cevil.example', '/'],
    ['?next=%5C%5Cevil.example', '/'],
    ['?next=https%3A%2F%2Fevil.example%2F', '/'],
    ['?next=javascript%3Aalert(1)', '/'],
    ['?next=%09%2F%2Fevil.example', '/'],
    ['?next=host%2Ff4', '/'],
  ])('next from %j → %s', (search, expected) => {
    const next = safeNext(search, ORIGIN);
    expect(next).toBe(expected);
    // Whatever it returns, the browser resolves it to this origin.
    expect(new URL(next, ORIGIN).origin).toBe(ORIGIN);
  });
});
