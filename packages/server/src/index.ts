// @anomalab/server: JSON API (Hono) and web UI over a run store; runs experiments through a RunLauncher.
export { createServerApp } from './app.ts';
export type { ServerApp, ServerAppOptions } from './app.ts';
export { startServer } from './server.ts';
export type { RunningServer, StartServerOptions } from './server.ts';
export { RunQueue } from './run-queue.ts';
export { requestGuard, isLoopbackHost, hostsFor } from './request-guard.ts';
export type { RequestGuardOptions } from './request-guard.ts';
export type { JobSpec, JobState, RunJob, RunQueueOptions } from './run-queue.ts';
export { HttpError, statusForCode, errorResponse } from './errors.ts';
export type { ErrorBody, ServerErrorCode } from './errors.ts';
export { downsampleMinMax, labelRanges } from './downsample.ts';
export { parseHistory } from './history.ts';
export type { History } from './history.ts';
export type { ApiRun, ApiRunStatus } from './run-views.ts';
export { DEFAULT_STREAM_LIMITS } from './streams/stream-limits.ts';
export type { StreamLimits } from './streams/stream-limits.ts';
export type { StreamResult, StreamInfo } from './streams/served-stream.ts';
