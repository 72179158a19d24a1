import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Anomalab, RunLauncher } from '@anomalab/core';
import { LocalLauncher } from '@anomalab/launcher';
import type { ServerContext } from './context.ts';
import { childEnvironment } from './child-env.ts';
import { createErrorHandler, onNotFound } from './errors.ts';
import { hostsFor, isLoopbackHost, requestGuard } from './request-guard.ts';
import { RunCatalog } from './run-catalog.ts';
import { RunFiles } from './run-files.ts';
import { RunQueue } from './run-queue.ts';
import { browserScoringRoutes } from './routes/browser-scoring.ts';
import { eventRoutes } from './routes/events.ts';
import { experimentRoutes } from './routes/experiments.ts';
import { healthRoutes } from './routes/health.ts';
import { launchRoutes } from './routes/launch.ts';
import { queueRoutes } from './routes/queue.ts';
import { leaderboardRoutes } from './routes/leaderboard.ts';
import { runRoutes } from './routes/runs.ts';
import { seriesRoutes } from './routes/series.ts';
import { staticRoutes } from './routes/static.ts';
import { sweepRoutes } from './routes/sweeps.ts';
import { runStreamRoutes, STREAM_BODY_PATHS, STREAM_POINTS_PATH, streamRoutes } from './routes/streams.ts';
import { runSessionOpener } from './streams/open-run-session.ts';
import { StreamSessions } from './streams/stream-sessions.ts';
import { resolveStreamLimits, type StreamLimits } from './streams/stream-limits.ts';

export interface ServerAppOptions {
  /** The core application (plugins + run store); its run store is what the server serves. */
  app: Anomalab;
  /** Folder of experiment files that `POST /api/runs { experiment }` may run (default `experiments`). */
  experimentsDir?: string;
  /** More folders whose files experiments sent in a request may read (the experiments folder always counts). */
  dataDirs?: string[];
  /**
   * Interface the server is (or will be) bound to (default 127.0.0.1). Decides which Host
   * headers are answered; beyond loopback, mutating requests also need {@link token}.
   */
  host?: string;
  /** Further host names to answer to (e.g. a DNS name of this machine). */
  allowedHosts?: string[];
  /** Token mutating requests must send as X-Anomalab-Token (default: none on loopback, a random one otherwise). */
  token?: string;
  /** Where launched experiments run (default: local child processes, `maxConcurrent` at once). */
  launcher?: RunLauncher;
  /** Local launcher only: experiments run at once, each in its own child process (default 1). */
  maxConcurrent?: number;
  /** Submitted experiments that may wait (default 100); more get 429 with Retry-After. */
  maxQueued?: number;
  /** Largest accepted request body in bytes (default 1 MiB); larger requests get 413. */
  bodyLimit?: number;
  /** Local launcher only: working directory of the children (default the server's). */
  cwd?: string;
  /** Folder of the web UI (default packages/server/public). */
  publicDir?: string;
  /** Bounds of online-scoring sessions (`/api/streams`); defaults in DEFAULT_STREAM_LIMITS. */
  streams?: Partial<StreamLimits>;
}

/** The Hono app, plus the queue it owns and a `close` that stops the queue's children. */
export type ServerApp = Hono & {
  readonly queue: RunQueue;
  readonly context: ServerContext;
  /** The per-start token mutating requests need (undefined on loopback). */
  readonly token: string | undefined;
  /** End scoring sessions, drop queued runs and stop running ones gracefully (SIGTERM -> checkpoint -> interrupted). */
  close(): Promise<void>;
};

/**
 * Build the HTTP app: JSON API under `/api`, the web UI from static files everywhere else.
 * Errors from any route leave through one `onError` that maps error codes to statuses.
 */
export function createServerApp(options: ServerAppOptions): ServerApp {
  const experimentsDir = resolve(options.experimentsDir ?? 'experiments');
  const files = new RunFiles(options.app.runs);
  // Children get a minimal environment: the server's secrets have no business in a run.
  const launcher = options.launcher ?? new LocalLauncher({ runsDir: options.app.runs.root, parallel: options.maxConcurrent ?? 1, cwd: options.cwd ?? process.cwd(), env: childEnvironment(), settings: options.app.settings });
  const queue = new RunQueue({ launcher, runsDir: options.app.runs.root, maxQueued: options.maxQueued });
  const dataDirs = [experimentsDir, ...(options.dataDirs ?? []).map((d) => resolve(d))];
  const catalog = new RunCatalog(files, queue);
  const streams = new StreamSessions(resolveStreamLimits(options.streams), runSessionOpener({ app: options.app, catalog, files }));
  const context: ServerContext = { app: options.app, files, queue, catalog, experimentsDir, dataDirs, streams };
  const maxSize = options.bodyLimit ?? 1024 * 1024;

  const hono = new Hono();
  hono.onError(createErrorHandler([options.app.runs.root, experimentsDir]));
  hono.notFound(onNotFound);
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? (isLoopbackHost(host) ? undefined : randomBytes(18).toString('base64url'));
  // First: no route (static files included) answers a foreign Host or Origin.
  hono.use('*', requestGuard({ allowedHosts: hostsFor(host, options.allowedHosts), token, ndjsonPaths: STREAM_POINTS_PATH }));
  // Every API request body is capped (JSON experiments are small); checked while streaming,
  // so a huge or lying Content-Length never gets buffered. Rows for scoring sessions have
  // their own limit (streams.maxBodyBytes), applied by their routes.
  const generalLimit = bodyLimit({
    maxSize,
    onError: (c) => c.json({ error: { code: 'ANOMALAB_PAYLOAD_TOO_LARGE', message: `request body larger than ${maxSize} bytes` } }, 413),
  });
  hono.use('/api/*', (c, next) => (STREAM_BODY_PATHS.test(c.req.path) ? next() : generalLimit(c, next)));
  hono.route('/api/health', healthRoutes(context));
  hono.route('/api/experiments', experimentRoutes(context));
  hono.route('/api/leaderboard', leaderboardRoutes(context));
  hono.route('/api/sweeps', sweepRoutes(context));
  hono.route('/api/queue', queueRoutes(context));
  hono.route('/api/streams', streamRoutes(context));
  hono.route('/api/runs', runStreamRoutes(context));
  hono.route('/api/runs', launchRoutes(context));
  hono.route('/api/runs', eventRoutes(context));
  hono.route('/api/runs', seriesRoutes(context));
  const browserScoring = browserScoringRoutes(context);
  hono.route('/api/runs', browserScoring.runs);
  hono.route('/api/models', browserScoring.models);
  hono.route('/api/runs', runRoutes(context));
  hono.route('/', staticRoutes(options.publicDir));

  const close = async () => {
    await streams.closeAll();
    await queue.shutdown();
  };
  return Object.assign(hono, { queue, context, token, close });
}
