import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { formatDuration } from '../config/duration.js';
import { urlOrigin } from '../config/http-url.js';

/** What the store said: its status, the start of its answer (for the log) and how long it asks us to wait. */
export type PostResult =
  | { readonly kind: 'answered'; readonly status: number; readonly body: string; readonly retryAfterMs: number | undefined }
  /** No answer: refused, reset, timed out, stopped. */
  | { readonly kind: 'failed'; readonly reason: string; readonly timedOut: boolean };

/** An error answer is read this far for the log line; the rest is dropped. */
const MAX_BODY_BYTES = 4096;
const MAX_HEADER_BYTES = 16 * 1024;

const NETWORK_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed by the server',
};

export interface Poster {
  /** POSTs one compressed WriteRequest; never throws. */
  post(body: Buffer, timeoutMs: number, signal?: AbortSignal): Promise<PostResult>;
  /** Closes the kept-alive connection (a cron run must not be held up by it). */
  close(): void;
}

export interface PosterOptions {
  readonly url: string;
  readonly userAgent: string;
  /** Authorization header value, when the store wants one. */
  readonly authorization: string | undefined;
  /** Extra CAs (PEM) for https. */
  readonly ca: Buffer | undefined;
}

/**
 * Remote write over node:http(s): one kept-alive connection for a run's requests, then closed
 * (fetch would keep a pool alive past the end of a cron run). Redirects are not followed: the
 * spec has none, and a body would have to be sent again to wherever it points.
 */
export function createPoster(options: PosterOptions): Poster {
  const url = new URL(options.url);
  const secure = url.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 1, ...(options.ca ? { ca: options.ca } : {}) }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
  const headers = {
    'content-type': 'application/x-protobuf',
    'content-encoding': 'snappy',
    'x-prometheus-remote-write-version': '0.1.0',
    'user-agent': options.userAgent,
    ...(options.authorization ? { authorization: options.authorization } : {}),
  };
  return {
    post: async (body, timeoutMs, signal) => {
      if (signal?.aborted) return { kind: 'failed', reason: 'stopped by a signal', timedOut: false };
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort('timeout'), timeoutMs);
      const onStop = (): void => abort.abort('signal');
      signal?.addEventListener('abort', onStop, { once: true });
      try {
        return await send(url, secure, agent, { ...headers, 'content-length': String(body.length) }, body, abort.signal);
      } catch (err) {
        if (abort.signal.aborted) {
          const timedOut = abort.signal.reason === 'timeout';
          return { kind: 'failed', reason: timedOut ? `no answer within ${formatDuration(timeoutMs)} (timeout)` : 'stopped by a signal', timedOut };
        }
        return { kind: 'failed', reason: describeError(err, options.url), timedOut: false };
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onStop);
      }
    },
    close: () => agent.destroy(),
  };
}

function send(url: URL, secure: boolean, agent: http.Agent, headers: Record<string, string>, body: Buffer, signal: AbortSignal): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request(url, { method: 'POST', agent, headers, maxHeaderSize: MAX_HEADER_BYTES }, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        if (read < MAX_BODY_BYTES) chunks.push(chunk.subarray(0, MAX_BODY_BYTES - read));
        read += chunk.length;
      });
      response.on('end', () => {
        signal.removeEventListener('abort', onAbort);
        const status = response.statusCode ?? 0;
        resolve({ kind: 'answered', status, body: Buffer.concat(chunks).toString('utf8').trim(), retryAfterMs: retryAfter(response.headers['retry-after']) });
      });
      response.on('error', reject);
    });
    const onAbort = (): void => {
      request.destroy();
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    request.on('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
    request.end(body);
  });
}

/** Retry-After in seconds or as an HTTP date, in ms from now; undefined when absent or unreadable. */
function retryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function describeError(err: unknown, url: string): string {
  const code = (err as { code?: unknown } | null)?.code;
  const known = typeof code === 'string' ? NETWORK_ERRORS[code] : undefined;
  if (known) return known;
  const message = err instanceof Error ? err.message : String(err);
  // A library message may quote the URL, whose path may hold a token.
  return message.split(url).join(urlOrigin(url));
}
