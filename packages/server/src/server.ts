import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createServerApp, type ServerApp, type ServerAppOptions } from './app.ts';

export interface StartServerOptions extends ServerAppOptions {
  /** TCP port (default 8377; 0 picks a free one). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1: the API can start processes, keep it local). */
  host?: string;
}

export interface RunningServer {
  /** `http://host:port` */
  url: string;
  port: number;
  host: string;
  app: ServerApp;
  server: Server;
  /** Stop children, close open streams and the listener. */
  close(): Promise<void>;
}

/** Listen with @hono/node-server; resolves once the port is bound. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const app = createServerApp(options);
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolveServer, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 8377, hostname: host }, () => resolveServer(s as Server));
    (s as Server).once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
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
