import { Hono } from 'hono';
import type { ServerContext } from '../context.ts';
import { HttpError } from '../errors.ts';

/**
 * `GET /api/queue`: where launched runs execute (local processes or a BullMQ queue), its
 * workers and job counts, plus this server's submitted jobs by state.
 */
export function queueRoutes(ctx: ServerContext): Hono {
  const api = new Hono();
  api.get('/', async (c) => {
    const launcher = ctx.queue.launcher;
    let status;
    try {
      status = launcher.status ? await launcher.status() : { kind: 'local' as const, description: launcher.description, counts: {} };
    } catch (error) {
      throw new HttpError(503, 'ANOMALAB_QUEUE_UNAVAILABLE', `the run queue is unreachable: ${(error as Error).message}`);
    }
    const jobs = ctx.queue.list();
    const submitted: Record<string, number> = {};
    for (const job of jobs) submitted[job.state] = (submitted[job.state] ?? 0) + 1;
    return c.json({ ...status, submitted });
  });
  return api;
}
