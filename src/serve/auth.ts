import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLoopback } from '../config/listen.js';
import type { Store } from '../store/store.js';
import type { User } from '../store/user-store.js';
import type { Role, SessionInfo } from './api-types.js';
import { HttpError } from './http-error.js';
import { LoginLimiter } from './login-limiter.js';
import { DUMMY_HASH, MAX_PASSWORD_LENGTH, TOKEN_PREFIX, tokenHash, verifyPassword } from './passwords.js';

/**
 * Who may do what, and how they prove it. Three ways in:
 * - a session cookie from `POST /api/v1/session` (the pages): HttpOnly, SameSite=Strict,
 *   Secure under TLS; state-changing requests with it must carry the session's CSRF token in
 *   `X-CSRF-Token` and, when the browser sends one, a same-origin `Origin`;
 * - `Authorization: Bearer mtx_…` (scripts, Prometheus): not ambient, so no CSRF check;
 * - `Authorization: Basic` (curl): the browser replays Basic credentials on its own, like a
 *   cookie, so a state-changing Basic request that looks like it comes from a browser (it has
 *   an `Origin` or `Sec-Fetch-Site` header) is refused; curl and scripts send neither.
 * Passwords and tokens are accepted only over TLS or on a loopback connection (judged by the
 * socket's remote address, never a header), so they never cross a network in clear text.
 * Sessions live in memory: a restart signs everyone out, and nothing is written to the
 * database, which the poller owns.
 */

export const SESSION_COOKIE = 'metrix_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface Principal {
  readonly user: string;
  readonly role: Role;
  readonly via: 'session' | 'bearer' | 'basic';
}

interface Session {
  readonly user: string;
  /** The user it was made for, as it was: another id (removed and added again), password or role ends it. */
  readonly userId: number;
  readonly fingerprint: string;
  readonly csrf: string;
  readonly expiresAt: number;
}

export interface AuthOptions {
  readonly store: Store;
  readonly clock: () => number;
  readonly tls: boolean;
  readonly sessionMs?: number;
  readonly limiter?: LoginLimiter;
}

const SESSION_MS = 12 * 3_600_000;
const MAX_SESSIONS = 10_000;
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
/** What a session stays valid for: the stored password hash (a new salt each time it is set) and role. */
const fingerprint = (user: User): string => sha256(`${user.role}\n${user.password}`);

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Token hashes whose users are kept (more are looked up each time). */
const MAX_KNOWN_TOKENS = 1_000;

export class Auth {
  /** By SHA-256 of the cookie value: a memory dump does not hand out live cookies. */
  private readonly sessions = new Map<string, Session>();
  /**
   * Users of tokens that matched, by token hash, while the database is unchanged: every change
   * to users and tokens (remove, revoke, a new role) is a commit of another connection (the
   * server only reads), which PRAGMA data_version shows, and empties this. Unknown tokens are
   * never kept: a stranger cannot fill it.
   */
  private readonly tokenUsers = new Map<string, User>();
  private tokensAt = -1;
  readonly limiter: LoginLimiter;
  private readonly sessionMs: number;

  constructor(private readonly options: AuthOptions) {
    this.limiter = options.limiter ?? new LoginLimiter(options.clock);
    this.sessionMs = options.sessionMs ?? SESSION_MS;
  }

  /** A channel credentials may cross: TLS, or a connection from this machine. */
  secureChannel(request: FastifyRequest): boolean {
    return this.options.tls || isLoopback(request.socket.remoteAddress);
  }

  private address(request: FastifyRequest): string {
    return request.socket.remoteAddress ?? 'unknown';
  }

  /** Checks a user name and password, rate-limited; the user, or an HttpError (401, 429). */
  async checkPassword(request: FastifyRequest, name: string, password: string): Promise<User> {
    if (!this.secureChannel(request)) throw new HttpError(403, 'forbidden', 'passwords are accepted only over HTTPS or from this machine');
    const address = this.address(request);
    const admitted = this.limiter.begin(name, address);
    if ('wait' in admitted) {
      throw new HttpError(429, 'too_many_requests', `${admitted.why}; try again in ${admitted.wait} s`, { 'retry-after': String(admitted.wait) });
    }
    let user: User | undefined;
    try {
      const found = name.length <= 64 ? this.options.store.users.find(name) : undefined;
      // An unknown user costs the same scrypt as a known one: timing does not tell names apart.
      if (await verifyPassword(password.slice(0, MAX_PASSWORD_LENGTH + 1), found?.password ?? DUMMY_HASH)) user = found;
    } finally {
      this.limiter.end(admitted.attempt, user !== undefined);
    }
    if (!user) throw new HttpError(401, 'unauthorized', 'wrong user name or password');
    return user;
  }

  /** Starts a session for the user: its cookie is set on `reply`. */
  startSession(reply: FastifyReply, user: User): SessionInfo {
    const value = randomBytes(32).toString('base64url');
    const session: Session = { user: user.name, userId: user.id, fingerprint: fingerprint(user), csrf: randomBytes(24).toString('base64url'), expiresAt: this.options.clock() + this.sessionMs };
    this.sessions.set(sha256(value), session);
    while (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    reply.header('set-cookie', this.cookie(value, Math.floor(this.sessionMs / 1000)));
    return { user: user.name, role: user.role, csrfToken: session.csrf, expiresAt: session.expiresAt };
  }

  endSession(request: FastifyRequest, reply: FastifyReply): void {
    const value = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (value) this.sessions.delete(sha256(value));
    reply.header('set-cookie', this.cookie('', 0));
  }

  private cookie(value: string, maxAge: number): string {
    return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${this.options.tls ? '; Secure' : ''}`;
  }

  /** The session behind the request's cookie, with its user as stored now (a removed user's session ends, and one whose password or role changed). */
  session(request: FastifyRequest): { info: SessionInfo; user: User } | undefined {
    const value = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (!value || value.length > 100) return undefined;
    const key = sha256(value);
    const session = this.sessions.get(key);
    if (!session) return undefined;
    const user = this.options.store.users.find(session.user);
    if (session.expiresAt <= this.options.clock() || !user || user.id !== session.userId || !sameText(fingerprint(user), session.fingerprint)) {
      this.sessions.delete(key);
      return undefined;
    }
    return { info: { user: user.name, role: user.role, csrfToken: session.csrf, expiresAt: session.expiresAt }, user };
  }

  /**
   * Who sent the request, or an HttpError: 401 without (good) credentials, 403 for credentials
   * over a plain non-loopback connection or a state change failing the CSRF rules above.
   */
  async authenticate(request: FastifyRequest): Promise<Principal> {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const [scheme = '', credentials = ''] = header.split(/\s+/, 2);
      if (!this.secureChannel(request)) throw new HttpError(403, 'forbidden', 'credentials are accepted only over HTTPS or from this machine');
      if (/^bearer$/i.test(scheme)) return this.bearer(credentials);
      if (/^basic$/i.test(scheme)) return this.basic(request, credentials);
      throw new HttpError(401, 'unauthorized', 'unsupported Authorization scheme (use Bearer or Basic)', { 'www-authenticate': 'Basic realm="metrix", charset="UTF-8"' });
    }
    const found = this.session(request);
    if (!found) throw new HttpError(401, 'unauthorized', 'sign in first (or send a bearer token or Basic credentials)');
    if (MUTATING.has(request.method)) this.checkCsrf(request, found.info.csrfToken);
    return { user: found.user.name, role: found.user.role, via: 'session' };
  }

  private bearer(token: string): Principal {
    const user = token.startsWith(TOKEN_PREFIX) && token.length < 100 ? this.tokenUser(tokenHash(token)) : undefined;
    if (!user) throw new HttpError(401, 'unauthorized', 'unknown or revoked token');
    return { user: user.name, role: user.role, via: 'bearer' };
  }

  /** The user of a token hash as stored now (see tokenUsers). */
  private tokenUser(hash: string): User | undefined {
    const version = this.options.store.web.dataVersion();
    if (version !== this.tokensAt) {
      this.tokenUsers.clear();
      this.tokensAt = version;
    }
    let user = this.tokenUsers.get(hash);
    if (user === undefined) {
      user = this.options.store.users.byToken(hash);
      if (user === undefined) return undefined;
      if (this.tokenUsers.size >= MAX_KNOWN_TOKENS) this.tokenUsers.clear();
      this.tokenUsers.set(hash, user);
    }
    return user;
  }

  private async basic(request: FastifyRequest, credentials: string): Promise<Principal> {
    const text = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon < 0) throw new HttpError(401, 'unauthorized', 'malformed Basic credentials');
    if (MUTATING.has(request.method) && (request.headers.origin !== undefined || request.headers['sec-fetch-site'] !== undefined)) {
      throw new HttpError(403, 'forbidden', 'a browser may not change anything with Basic credentials (they are sent without asking); sign in, or use a bearer token');
    }
    const user = await this.checkPassword(request, text.slice(0, colon), text.slice(colon + 1));
    return { user: user.name, role: user.role, via: 'basic' };
  }

  /** A cookie-authenticated change: the CSRF header must hold the session's token, and an Origin, when sent, must be this server. */
  private checkCsrf(request: FastifyRequest, expected: string): void {
    const token = request.headers[CSRF_HEADER];
    if (typeof token !== 'string' || !sameText(token, expected)) throw new HttpError(403, 'forbidden', `missing or wrong ${CSRF_HEADER} header (send the csrfToken of GET /api/v1/session)`);
    this.checkOrigin(request);
  }

  /** An Origin header, when present, must name this server (scheme, host and port as the request reached it). */
  checkOrigin(request: FastifyRequest): void {
    const origin = request.headers.origin;
    if (origin === undefined) return;
    const expected = `${this.options.tls ? 'https' : 'http'}://${request.headers.host ?? ''}`;
    if (origin !== expected) throw new HttpError(403, 'forbidden', 'cross-origin request refused');
  }
}

/** Refuses a principal below `role`. */
export function requireRole(principal: Principal, role: Role): void {
  if (role === 'admin' && principal.role !== 'admin') throw new HttpError(403, 'forbidden', 'this needs the admin role');
}
