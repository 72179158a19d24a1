import { AnomalabError } from '../../errors.ts';
import type { RunSummary } from '../../contracts/run-store.ts';
import { headlineMetrics, type RunResults } from '../results.ts';
import type { RunContext } from './open-run.ts';

export interface RunOutcome {
  run: RunSummary;
  results: RunResults;
}

/** Close stage (success): log the end, record status completed, duration and headline metrics. */
export async function completeRun(ctx: RunContext, results: RunResults): Promise<RunOutcome> {
  const { logger, run } = ctx;
  const durationMs = Date.now() - ctx.started;
  logger.info(`run ${run.id} completed in ${(durationMs / 1000).toFixed(1)}s -> ${run.dir}`);
  logger.metric({ type: 'run_completed', duration_ms: durationMs });
  const done = await ctx.runStore.update(run.id, { status: 'completed', endedAt: new Date().toISOString(), durationMs, metrics: headlineMetrics(results) });
  return { run: done, results };
}

/**
 * Close stage (failure): log the error, record status interrupted or failed with the
 * error, and mark the error as reported when the console has seen it.
 */
export async function failRun(ctx: RunContext, error: unknown): Promise<void> {
  const interrupted = error instanceof AnomalabError && error.code === 'ANOMALAB_INTERRUPTED';
  const message = (error as Error).message;
  ctx.logger.error(message);
  // The console has seen it: the CLI need not print it again.
  if (!ctx.options.quiet && error instanceof Error) Object.assign(error, { reported: true });
  ctx.logger.metric({ type: interrupted ? 'run_interrupted' : 'run_failed', message });
  await ctx.runStore.update(ctx.run.id, {
    status: interrupted ? 'interrupted' : 'failed',
    endedAt: new Date().toISOString(),
    durationMs: Date.now() - ctx.started,
    error: { code: error instanceof AnomalabError ? error.code : 'ANOMALAB_INTERNAL', message },
  });
}
