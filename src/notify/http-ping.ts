import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { urlOrigin } from '../config/http-url.js';
import { formatDuration } from '../config/duration.js';

/** What became of a ping: the status that answered it, or why there was none worth having. */
export type PingResult = { readonly ok: true; readonly status: number } | { readonly ok: false; readonly reason: string };

export interface PingOptions {
  /** Deadline for the whole ping: every redirect, and reading the answer. */
  readonly timeoutMs: number;
  readonly userAgent: string;
  /** Ends the ping early, e.g. on SIGTERM. */
  readonly signal?: AbortSignal;
}

/** A watcher may move (http -> https, a new domain); a chain longer than this is a misconfiguration. */
export const MAX_REDIRECTS = 3;
/** The answer is not read for meaning; it is drained up to this much so a chatty server costs nothing. */
const MAX_BODY_BYTES = 64 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** A watcher answers with a few short headers; more than this is not one. */
const MAX_HEADER_BYTES = 16 * 1024;

/** Why a request failed before any answer, by the system's error code, in a sysadmin's words (remote write's too). */
export const NETWORK_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed by the server',
  HPE_HEADER_OVERFLOW: `answer headers larger than ${MAX_HEADER_BYTES / 1024} KiB`,
};

class Deadline extends Error {}

/** What one request brought back: all a ping looks at. */
interface Answer {
  readonly status: number;
  readonly location: string | undefined;
}

/**
 * One HTTP GET to `url`: any 2xx is success. Redirects are followed by hand, at most
 * MAX_REDIRECTS and to http(s) only; the body is drained up to a limit and dropped. Never
 * throws; the reason for a failure names no part of the URL beyond its origin.
 *
 * node:http rather than fetch: a connection of its own, closed after the answer (no pool to
 * keep the process up after a cron run; fetch costs about 0.3 s more per run, loading and
 * tearing down), and a cap on the answer's headers.
 */
export async function httpPing(url: string, options: PingOptions): Promise<PingResult> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Deadline()), options.timeoutMs);
  const onStop = (): void => abort.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onStop, { once: true });
  let target = url;
  try {
    if (options.signal?.aborted) return { ok: false, reason: 'stopped before it was sent' };
    for (let hop = 0; ; hop++) {
      const response = await get(new URL(target), options.userAgent, abort.signal);
      if (!REDIRECTS.has(response.status)) {
        return response.status >= 200 && response.status < 300 ? { ok: true, status: response.status } : { ok: false, reason: `HTTP ${response.status}` };
      }
      const next = redirectTarget(response, target, hop);
      if ('reason' in next) return { ok: false, reason: next.reason };
      target = next.url;
    }
  } catch (err) {
    return { ok: false, reason: withoutPaths(describeFailure(err, abort.signal, options.timeoutMs), [url, target]) };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onStop);
  }
}

function redirectTarget(response: Answer, from: string, hop: number): { readonly url: string } | { readonly reason: string } {
  const location = response.location;
  if (location === undefined) return { reason: `HTTP ${response.status} without a Location to follow` };
  if (hop >= MAX_REDIRECTS) return { reason: `more than ${MAX_REDIRECTS} redirects (last: HTTP ${response.status})` };
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    return { reason: `HTTP ${response.status} to a Location that is not a URL` };
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') return { reason: `HTTP ${response.status} to a ${next.protocol.slice(0, -1)}: URL (only http and https are followed)` };
  return { url: next.href };
}

/** One GET, on a connection of its own; the body is read up to MAX_BODY_BYTES and dropped. */
function get(url: URL, userAgent: string, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      request.destroy();
      reject(signal.reason);
    };
    const settle = (response: IncomingMessage): void => {
      signal.removeEventListener('abort', onAbort);
      resolve({ status: response.statusCode ?? 0, location: response.headers.location });
    };
    const request = (url.protocol === 'https:' ? https : http).get(
      url,
      { agent: false, maxHeaderSize: MAX_HEADER_BYTES, headers: { 'user-agent': userAgent, accept: '*/*', connection: 'close' } },
      (response) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read < MAX_BODY_BYTES) return;
          settle(response);
          request.destroy();
        });
        response.on('end', () => settle(response));
        response.on('error', (err) => reject(err));
        response.on('close', () => reject(Object.assign(new Error('connection closed before the answer ended'), { code: 'EPIPE' })));
      },
    );
    request.on('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function describeFailure(err: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) return signal.reason instanceof Deadline ? `no answer within ${formatDuration(timeoutMs)} (timeout)` : 'stopped by a signal';
  const code = (err as { code?: unknown } | null)?.code;
  const known = typeof code === 'string' ? NETWORK_ERRORS[code] : undefined;
  if (known) return known;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

/** A library message with a URL, or its path, cut down to the origin: the path may hold the token. */
function withoutPaths(message: string, urls: readonly string[]): string {
  let text = message;
  for (const url of urls) {
    const { pathname, search } = new URL(url);
    text = text.split(url).join(urlOrigin(url));
    if (`${pathname}${search}`.length > 1) text = text.split(`${pathname}${search}`).join('/…');
  }
  return text;
}
