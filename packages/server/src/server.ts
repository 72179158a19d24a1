import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import { isLoopbackHost } from './request-guard.ts';
import { createServerApp, type ServerApp, type ServerAppOptions } from './app.ts';

export interface StartServerOptions extends ServerAppOptions {
  /** TCP port (default 8377; 0 picks a free one). */
  port?: number;
  /** Where the non-loopback warning goes (default stderr). */
  warn?: (message: string) => void;
}

export interface RunningServer {
  /** `http://host:port` */
  url: string;
  port: number;
  host: string;
  /** Per-start token for mutating requests when not on loopback (see createServerApp). */
  token: string | undefined;
  app: ServerApp;
  server: Server;
  /** Stop children, close open streams and the listener. */
  close(): Promise<void>;
}

/**
 * Requests Node's HTTP parser rejects (bad framing: a Content-Length lower than the body
 * sent, conflicting Content-Length and Transfer-Encoding, oversized headers) get the same
 * JSON error body as every other error instead of a bare status line.
 */
function answerMalformedRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason] = error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
  const body = JSON.stringify({ error: { code: 'ANOMALAB_BAD_REQUEST', message: `malformed HTTP request (${error.code ?? error.message}): check Content-Length against the body actually sent` } });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Listen with @hono/node-server; resolves once the port is bound. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const app = createServerApp(options);
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolveServer, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 8377, hostname: host }, () => resolveServer(s as Server));
    (s as Server).once('error', reject);
  });
  server.on('clientError', answerMalformedRequest);
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  if (!isLoopbackHost(host)) {
    // Loud on purpose: anyone who can reach this address can read every run.
    (options.warn ?? ((m: string) => process.stderr.write(m + '\n')))(
      [
        `WARNING: the anomalab server listens on ${host}, beyond this machine (not loopback).`,
        `  Anyone who can reach it can read every run${app.token ? '; starting and stopping runs needs the token in this URL' : ''}:`,
        `  http://${urlHost}:${port}/${app.token ? `?token=${app.token}` : ''}`,
      ].join('\n'),
    );
  }
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    token: app.token,
    app,
    server,
    close() {
      closing ??= (async () => {
        await app.close();
        await new Promise<void>((done) => {
          server.close(() => done());
          // SSE streams and keep-alive sockets would hold close() open forever.
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
