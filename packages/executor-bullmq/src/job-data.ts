import type { LaunchRequest } from '@anomalab/core';

/** What a queued job carries: the fully resolved run, and whose run store it belongs to. */
export interface RunJobData {
  format: 'anomalab-job/1';
  request: LaunchRequest;
  /** `.store-id` of the submitter's run store (see store-identity.ts). */
  storeId: string;
  /** `host:pid` of the submitter, for listings. */
  submittedBy: string;
}

/** Progress a worker reports (`job.updateProgress`). */
export interface RunJobProgress {
  phase: 'starting' | 'running';
  where: string;
  attempt: number;
  epoch?: number;
  epochs?: number;
  loss?: number;
  checkpointEpoch?: number;
}

/** A job's return value. `shared`: the worker wrote into the submitter's store directly. */
export interface RunJobResult {
  status: 'completed' | 'failed' | 'interrupted';
  shared: boolean;
  where: string;
  error?: { code: string; message: string };
}

/**
 * Check a job's data before running it: queue messages are input like any other. Returns
 * the problem, or undefined when the data is a well-formed job.
 */
export function jobDataProblem(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return 'job data is not an object';
  const d = data as Partial<RunJobData>;
  if (d.format !== 'anomalab-job/1') return `job data format is ${JSON.stringify(d.format)}, expected "anomalab-job/1" (a submitter of another anomalab version?)`;
  if (typeof d.storeId !== 'string' || !d.storeId) return 'job data has no storeId';
  const r = d.request as Partial<LaunchRequest> | undefined;
  if (!r || typeof r !== 'object') return 'job data has no request';
  if (typeof r.runId !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(r.runId)) return `request.runId ${JSON.stringify(r.runId)} is not a run id`;
  if (typeof r.config !== 'object' || r.config === null || Array.isArray(r.config)) return 'request.config is not an object';
  if (typeof r.baseDir !== 'string') return 'request.baseDir is not a string';
  return undefined;
}

/**
 * Failures the input caused fail once: retrying cannot help. Anything else (the run process
 * crashed or was killed, data could not be downloaded, an internal error) is retried with
 * backoff, resuming from the last shipped checkpoint.
 */
const PERMANENT = new Set([
  'ANOMALAB_CONFIG_INVALID',
  'ANOMALAB_PLUGIN_NOT_FOUND',
  'ANOMALAB_PLUGIN_INVALID',
  'ANOMALAB_USAGE',
  'ANOMALAB_DATA_INVALID',
  'ANOMALAB_RUN_NOT_FOUND',
  'ANOMALAB_CHECKPOINT_INVALID',
  'ANOMALAB_TRAINING_DIVERGED',
  'ANOMALAB_INTERRUPTED',
  'ANOMALAB_JOB_INVALID',
]);

export function isPermanentFailure(code: string | undefined): boolean {
  return code !== undefined && PERMANENT.has(code);
}
