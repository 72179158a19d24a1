import { resolve } from 'node:path';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Anomalab, RunLauncher } from '@anomalab/core';
import { LocalLauncher } from '@anomalab/launcher';
import type { ServerContext } from './context.ts';
import { onError, onNotFound } from './errors.ts';
import { RunCatalog } from './run-catalog.ts';
import { RunFiles } from './run-files.ts';
import { RunQueue } from './run-queue.ts';
import { eventRoutes } from './routes/events.ts';
import { experimentRoutes } from './routes/experiments.ts';
import { healthRoutes } from './routes/health.ts';
import { launchRoutes } from './routes/launch.ts';
import { leaderboardRoutes } from './routes/leaderboard.ts';
import { runRoutes } from './routes/runs.ts';
import { seriesRoutes } from './routes/series.ts';
import { staticRoutes } from './routes/static.ts';
import { sweepRoutes } from './routes/sweeps.ts';

export interface ServerAppOptions {
  /** The core application (plugins + run store); its run store is what the server serves. */
  app: Anomalab;
  /** Folder of experiment files that `POST /api/runs { experiment }` may run (default `experiments`). */
  experimentsDir?: string;
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
}

/** The Hono app, plus the queue it owns and a `close` that stops the queue's children. */
export type ServerApp = Hono & {
  readonly queue: RunQueue;
  readonly context: ServerContext;
  /** Drop queued runs and stop running ones gracefully (SIGTERM -> checkpoint -> interrupted). */
  close(): Promise<void>;
};

/**
 * Build the HTTP app: JSON API under `/api`, the web UI from static files everywhere else.
 * Errors from any route leave through one `onError` that maps error codes to statuses.
 */
export function createServerApp(options: ServerAppOptions): ServerApp {
  const experimentsDir = resolve(options.experimentsDir ?? 'experiments');
  const files = new RunFiles(options.app.runs);
  const launcher = options.launcher ?? new LocalLauncher({ runsDir: options.app.runs.root, parallel: options.maxConcurrent ?? 1, cwd: options.cwd ?? process.cwd() });
  const queue = new RunQueue({ launcher, runsDir: options.app.runs.root, maxQueued: options.maxQueued });
  const context: ServerContext = { app: options.app, files, queue, catalog: new RunCatalog(files, queue), experimentsDir };
  const maxSize = options.bodyLimit ?? 1024 * 1024;

  const hono = new Hono();
  hono.onError(onError);
  hono.notFound(onNotFound);
  // Every API request body is capped (JSON experiments are small); checked while streaming,
  // so a huge or lying Content-Length never gets buffered.
  hono.use(
    '/api/*',
    bodyLimit({
      maxSize,
      onError: (c) => c.json({ error: { code: 'ANOMALAB_PAYLOAD_TOO_LARGE', message: `request body larger than ${maxSize} bytes` } }, 413),
    }),
  );
  hono.route('/api/health', healthRoutes(context));
  hono.route('/api/experiments', experimentRoutes(context));
  hono.route('/api/leaderboard', leaderboardRoutes(context));
  hono.route('/api/sweeps', sweepRoutes(context));
  hono.route('/api/runs', launchRoutes(context));
  hono.route('/api/runs', eventRoutes(context));
  hono.route('/api/runs', seriesRoutes(context));
  hono.route('/api/runs', runRoutes(context));
  hono.route('/', staticRoutes(options.publicDir));

  return Object.assign(hono, { queue, context, close: () => queue.shutdown() });
}
