import { Hono } from 'hono';
import type { ServerContext } from '../context.ts';

const startedAt = new Date().toISOString();

/** `GET /api/health`: liveness plus what the server serves (no file-system paths: any page could read them). */
export function healthRoutes(ctx: ServerContext): Hono {
  const api = new Hono();
  api.get('/', (c) => {
    const jobs = ctx.queue.list();
    return c.json({
      ok: true,
      startedAt,
      queue: { queued: jobs.filter((j) => j.state === 'queued').length, running: jobs.filter((j) => j.state === 'starting' || j.state === 'running').length },
      plugins: { datasets: ctx.app.registry.names('dataset'), models: ctx.app.registry.names('model') },
    });
  });
  return api;
}
