import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { snappyDecompress } from '../../src/remote-write/snappy.js';
import { decodeWriteRequest, type DecodedSeries } from './wire.js';

/** One request as the fake store saw it: headers, and the WriteRequest decoded by the tests' own reader. */
export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly series: DecodedSeries[];
}

/** How to answer: a status (with body and headers), or hang up without a word. */
export type Reply = { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> } | 'hang-up';

export interface FakeStore {
  readonly url: string;
  readonly received: Received[];
  reply: (request: Received, index: number) => Reply | Promise<Reply>;
  stop(): Promise<void>;
}

/** A remote-write endpoint on 127.0.0.1 that decodes what comes and answers as `reply` says (204 by default). */
export async function startFakeStore(reply: FakeStore['reply'] = () => ({ status: 204 })): Promise<FakeStore> {
  const received: Received[] = [];
  const state = { reply };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const request: Received = { headers: req.headers, body, series: decodeWriteRequest(snappyDecompress(body)) };
      received.push(request);
      void Promise.resolve(state.reply(request, received.length - 1)).then((answer) => {
        if (answer === 'hang-up') {
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        res.end(answer.body ?? '');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
  return Object.assign(state, {
    url,
    received,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  }) as FakeStore;
}

/** Forwards a request to a real store (Prometheus) as it came; its answer. */
export async function forward(url: string, request: Received): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'content-encoding', 'x-prometheus-remote-write-version']) headers[name] = String(request.headers[name]);
  const response = await fetch(url, { method: 'POST', headers, body: request.body, signal: AbortSignal.timeout(20_000) });
  return { status: response.status, body: await response.text() };
}

/** Host name of each series in a request. */
export const hostsOf = (request: Received): string[] => [...new Set(request.series.map((s) => s.labels.find(([name]) => name === 'host')?.[1] ?? ''))];
