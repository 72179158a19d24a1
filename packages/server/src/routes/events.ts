import { Hono } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { ServerContext } from '../context.ts';
import { FileTail } from '../file-tail.ts';
import type { ApiRun } from '../run-views.ts';

const POLL_MS = 250;
const TERMINAL = new Set(['completed', 'failed', 'interrupted', 'cancelled']);
const JOB_ACTIVE = new Set(['queued', 'starting', 'running']);

/**
 * `GET /api/runs/:id/events`: Server-Sent Events for one run.
 *
 * Events: `status` (the run as `GET /api/runs/:id` shows it, on every status change),
 * `log` ({ line }), `epoch` (a metrics.jsonl epoch record), `metric` (any other record),
 * and a final `end` once the run has ended and its process (if any) has exited, after
 * which the server closes the stream (clients should then close their EventSource, or it
 * reconnects and replays). The run folder is tailed (log.txt,
 * metrics.jsonl, run.json), so this works for runs of any process, not only this server's.
 * A queued job first reports `status: queued` until its child creates the folder.
 */
export function eventRoutes(ctx: ServerContext): Hono {
  const api = new Hono();
  api.get('/:id/events', async (c) => {
    const id = c.req.param('id');
    // Resolve before streaming so unknown ids are a plain 404 JSON error, not an empty stream.
    await ctx.catalog.view(id);
    return streamSSE(c, async (stream) => {
      let seq = 0;
      const send = (event: string, data: unknown) => stream.writeSSE({ event, data: JSON.stringify(data), id: String(++seq) });
      let lastStatus = '';
      let runId: string | undefined;
      let log: FileTail | undefined;
      let metrics: FileTail | undefined;

      while (!stream.aborted && !stream.closed) {
        const { view, resolved } = await ctx.catalog.view(id).catch(() => ({ view: undefined, resolved: undefined }));
        if (!view || !resolved) break;
        if (resolved.runId && !runId) {
          runId = resolved.runId;
          log = new FileTail(() => ctx.files.logPath(runId!));
          metrics = new FileTail(() => ctx.files.metricsLogPath(runId!));
        }
        // Status was read before draining the files: once it says "ended", the files are complete.
        if (log && metrics) await drain(stream, send, log, metrics);
        const statusKey = `${view.status}|${view.job?.cancelRequested ?? ''}|${view.id}`;
        if (statusKey !== lastStatus) {
          lastStatus = statusKey;
          await send('status', view satisfies ApiRun);
        }
        // The record can say "completed" a moment before its process exits; `end` waits for
        // both, so a client that reads the run after `end` sees its job finished too.
        if (TERMINAL.has(view.status) && !JOB_ACTIVE.has(view.job?.state ?? 'finished')) {
          await send('end', { id: view.id, status: view.status });
          break;
        }
        await stream.sleep(POLL_MS);
      }
    });
  });
  return api;
}

async function drain(stream: SSEStreamingApi, send: (event: string, data: unknown) => Promise<void>, log: FileTail, metrics: FileTail): Promise<void> {
  for (;;) {
    const lines = await log.read();
    const records = await metrics.read();
    if (stream.aborted || (!lines.length && !records.length)) return;
    for (const line of lines) await send('log', { line });
    for (const line of records) {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line);
      } catch {
        continue;
      }
      await send(record.type === 'epoch' ? 'epoch' : 'metric', record);
    }
  }
}
