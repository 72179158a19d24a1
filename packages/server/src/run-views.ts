import type { RunSummary } from '@anomalab/core';
import { HttpError } from './errors.ts';
import { headline, metricsSummary, type ChannelSummary } from './metrics.ts';
import type { RunJob } from './run-queue.ts';

/** Status as the API reports it: the run store's, plus the queue's states before a run folder exists. */
export type ApiRunStatus = RunSummary['status'] | 'queued' | 'starting' | 'cancelled';

/** A run as the API lists it (run.json minus the absolute folder path, plus headline numbers). */
export interface ApiRun {
  id: string;
  status: ApiRunStatus;
  experiment: string;
  dataset: string;
  model: string;
  seed?: number;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  /** Headline oracle F1 (joint when there is a joint score, else the mean over channels). */
  oracle_f: number | null;
  deployable_f: number | null;
  auc_pr: number | null;
  /** run.json `metrics` as stored (its shape depends on the run's format version). */
  metrics?: Record<string, unknown>;
  /** The same metrics, per channel and joint, in one flat shape for every format (see metrics.ts). */
  summary: Record<string, ChannelSummary>;
  error?: { code: string; message: string };
  /** Set for runs submitted through this server. */
  job?: { id: string; state: RunJob['state']; queuedAt: string; position?: number; cancelRequested: boolean; where?: string; progress?: RunJob['progress'] };
  [key: string]: unknown;
}

/** run.json as the API shows it. */
export function runView(run: RunSummary, job?: RunJob, position?: number): ApiRun {
  const { dir: _dir, ...record } = run;
  const summary = metricsSummary(run.metrics);
  return {
    ...record,
    oracle_f: headline(summary, 'oracle_f'),
    deployable_f: headline(summary, 'deployable_f'),
    auc_pr: headline(summary, 'auc_pr'),
    summary,
    ...(job ? { job: jobInfo(job, position) } : {}),
  };
}

/** A submitted experiment that has no run folder (yet, or ever). */
export function jobView(job: RunJob, position?: number): ApiRun {
  const status: ApiRunStatus = job.state === 'finished' || job.state === 'running' ? 'running' : job.state;
  return {
    id: job.id,
    status,
    experiment: job.experiment,
    dataset: job.dataset,
    model: job.model,
    startedAt: job.startedAt ?? job.queuedAt,
    endedAt: job.endedAt,
    oracle_f: null,
    deployable_f: null,
    auc_pr: null,
    summary: {},
    ...(job.state === 'failed' ? { error: { code: job.error?.code ?? 'ANOMALAB_INTERNAL', message: job.output.slice(-5).join('\n') || job.error?.message || 'failed before it had a run folder' } } : {}),
    job: jobInfo(job, position),
  };
}

function jobInfo(job: RunJob, position?: number): NonNullable<ApiRun['job']> {
  return {
    id: job.id,
    state: job.state,
    queuedAt: job.queuedAt,
    cancelRequested: job.cancelRequested,
    ...(job.where ? { where: job.where } : {}),
    ...(job.progress ? { progress: job.progress } : {}),
    ...(position !== undefined && position >= 0 ? { position } : {}),
  };
}

export interface RunQuery {
  experiment?: string;
  dataset?: string;
  model?: string;
  /** One status or several, comma-separated. */
  status?: string;
  sort?: string;
  order?: string;
  limit?: string;
  offset?: string;
}

const SORT_KEYS = {
  startedAt: (r: ApiRun) => (r.startedAt ? Date.parse(r.startedAt) : null),
  duration: (r: ApiRun) => r.durationMs ?? null,
  oracle_f: (r: ApiRun) => r.oracle_f,
  deployable_f: (r: ApiRun) => r.deployable_f,
  auc_pr: (r: ApiRun) => r.auc_pr,
} satisfies Record<string, (r: ApiRun) => number | null>;

/** Sort keys `GET /api/runs?sort=` accepts. */
export const sortKeys = Object.keys(SORT_KEYS);

function intParam(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', `${name} must be a whole number, got ${JSON.stringify(value)}`);
  return Math.min(max, Math.max(min, Number(value)));
}

/** Filter (exact match; dataset also matches its `<dataset>/` prefix), sort (nulls last), page. */
export function queryRuns(runs: ApiRun[], query: RunQuery): { total: number; limit: number; offset: number; runs: ApiRun[] } {
  const sort = query.sort ?? 'startedAt';
  if (!(sort in SORT_KEYS)) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', `sort must be one of ${sortKeys.join(', ')}; got ${JSON.stringify(sort)}`);
  const order = query.order ?? (sort === 'duration' ? 'asc' : 'desc');
  if (order !== 'asc' && order !== 'desc') throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', `order must be asc or desc; got ${JSON.stringify(order)}`);
  const limit = intParam('limit', query.limit, 50, 1, 1000);
  const offset = intParam('offset', query.offset, 0, 0, Number.MAX_SAFE_INTEGER);
  const statuses = query.status ? new Set(query.status.split(',').map((s) => s.trim())) : undefined;
  const filtered = runs.filter(
    (r) =>
      (!query.experiment || r.experiment === query.experiment) &&
      (!query.model || r.model === query.model) &&
      (!query.dataset || r.dataset === query.dataset || String(r.dataset).startsWith(`${query.dataset}/`)) &&
      (!statuses || statuses.has(r.status)),
  );
  const key = SORT_KEYS[sort as keyof typeof SORT_KEYS];
  const sign = order === 'asc' ? 1 : -1;
  filtered.sort((a, b) => {
    const va = key(a);
    const vb = key(b);
    if (va === null && vb === null) return a.id < b.id ? -sign : sign;
    if (va === null) return 1;
    if (vb === null) return -1;
    return va === vb ? (a.id < b.id ? -sign : sign) : (va - vb) * sign;
  });
  return { total: filtered.length, limit, offset, runs: filtered.slice(offset, offset + limit) };
}
