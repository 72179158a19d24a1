import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_FILES } from '@anomalab/core';
import type { ServerContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import type { SessionOpener } from './stream-sessions.ts';

/**
 * The server's {@link SessionOpener}: 404 for an unknown run, 409 for one that has not
 * completed (queued, running, failed...), then the core's `openRunStream` through the app
 * (`Anomalab.openStream`, so plugins get the server's settings): weights, fitted
 * detector, train statistics and deployable thresholds of the run. A model that cannot
 * stream is the core's refusal, answered 422 with its message.
 */
export function runSessionOpener(ctx: Pick<ServerContext, 'app' | 'catalog' | 'files'>): SessionOpener {
  return async (id) => {
    const { view, record } = await ctx.catalog.view(id);
    if (!record || view.status !== 'completed') {
      throw new HttpError(409, 'ANOMALAB_CONFLICT', `run ${view.id} is ${view.status}: only a completed run can score a stream`);
    }
    let session;
    try {
      session = await ctx.app.openStream(record.id);
    } catch (error) {
      throw asUnsupported(error);
    }
    return { runId: record.id, session, stateBytes: await checkpointBytes(ctx, record.id) };
  };
}

/** The core says "this model cannot stream" with a usage error: the run is fine, the request cannot be served (422). */
function asUnsupported(error: unknown): unknown {
  const code = (error as { code?: string })?.code;
  if (code === 'ANOMALAB_USAGE') return new HttpError(422, 'ANOMALAB_STREAM_UNSUPPORTED', (error as Error).message);
  return error;
}

/**
 * Bytes of the run's largest checkpoint: weights (plus optimizer state) and the fitted
 * detector, an upper estimate of the model state a session loads.
 */
async function checkpointBytes(ctx: Pick<ServerContext, 'files'>, runId: string): Promise<number> {
  const dir = await ctx.files.path(runId, RUN_FILES.checkpoints);
  if (!dir) return 0;
  let largest = 0;
  for (const name of await readdir(dir).catch(() => [])) {
    const size = await stat(join(dir, name)).then((s) => (s.isFile() ? s.size : 0), () => 0);
    largest = Math.max(largest, size);
  }
  return largest;
}
