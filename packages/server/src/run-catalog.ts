import { basename } from 'node:path';
import type { RunSummary } from '@anomalab/core';
import type { RunFiles } from './run-files.ts';
import type { RunJob, RunQueue } from './run-queue.ts';
import { jobView, runView, type ApiRun } from './run-views.ts';
import { assertSafeRunId } from './safe-paths.ts';

/** What an id in a URL stands for: a run folder, a submitted job, or both. */
export interface ResolvedRun {
  /** Run folder id, once there is one. */
  runId?: string;
  job?: RunJob;
}

/**
 * One view over the run store and the queue: an id returned by `POST /api/runs` answers
 * as a queued (or starting) run until the child has created its folder, then as that run.
 */
export class RunCatalog {
  constructor(
    readonly files: RunFiles,
    readonly queue: RunQueue,
  ) {}

  resolve(id: string): ResolvedRun {
    assertSafeRunId(id);
    const job = this.queue.get(id);
    if (job) return { runId: job.runId, job };
    return { runId: id };
  }

  /** The API view of one id (queued job or run.json). Throws 404 for unknown ids. */
  async view(id: string): Promise<{ view: ApiRun; record?: RunSummary; resolved: ResolvedRun }> {
    const resolved = this.resolve(id);
    const position = resolved.job ? this.queue.queuePosition(resolved.job.id) : undefined;
    if (!resolved.runId) return { view: jobView(resolved.job!, position), resolved };
    const record = await this.files.record(resolved.runId);
    return { view: runView(record, resolved.job, position), record, resolved };
  }

  /** Every run in the store plus submitted jobs that have no run folder (queued, starting, failed early). */
  async list(): Promise<ApiRun[]> {
    const jobs = new Map(this.queue.list().map((j) => [j.id, j]));
    const runs: ApiRun[] = [];
    const records = await this.files.store.list();
    // Only folders whose real path is inside the store and whose run.json names them:
    // a symlinked folder (or a copied run.json) must not smuggle a foreign run in.
    const inside = await Promise.all(records.map((r) => basename(r.dir) === r.id && this.files.isInside(r.id)));
    for (const [i, r] of records.entries()) {
      if (!inside[i]) continue;
      const job = jobs.get(r.id);
      jobs.delete(r.id);
      // Folder created but the child has not said so yet: still "starting" for a moment.
      runs.push(job && !job.runId ? jobView(job) : runView(r, job));
    }
    const waiting = [...jobs.values()].filter((j) => !j.runId && j.state !== 'cancelled').map((j) => jobView(j, this.queue.queuePosition(j.id)));
    return [...waiting, ...runs];
  }
}
