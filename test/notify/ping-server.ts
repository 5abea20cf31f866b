import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface PingRequest {
  readonly method: string;
  readonly path: string;
  readonly userAgent: string | undefined;
}

/** A real HTTP server on 127.0.0.1 that records every request and answers as `handle` says. */
export interface PingServer {
  readonly origin: string;
  readonly requests: PingRequest[];
  handle: Handler;
  /** Resolves once `count` requests have come in. */
  received(count: number): Promise<void>;
  /** Drops every connection, answered or not, and stops listening. */
  close(): Promise<void>;
}

export const answer = (status: number, body = ''): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(body);
};

/** Takes the request and never says a word. */
export const silent: Handler = () => undefined;

/** With `tls`, the server speaks HTTPS with that key and certificate. */
export async function startPingServer(handle: Handler = answer(200, 'OK'), tls?: { readonly key: Buffer; readonly cert: Buffer }): Promise<PingServer> {
  const requests: PingRequest[] = [];
  const waiters: Array<() => void> = [];
  const state: PingServer = {
    origin: '',
    requests,
    handle,
    received: async (count) => {
      while (requests.length < count) await new Promise<void>((wake) => waiters.push(wake));
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', userAgent: req.headers['user-agent'] });
    waiters.splice(0).forEach((wake) => wake());
    state.handle(req, res);
  };
  const server = tls ? createTlsServer(tls, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, { origin: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

/** A port on 127.0.0.1 nothing listens on (it did a moment ago): connections are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
