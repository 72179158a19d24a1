// @anomalab/executor-bullmq: runs spread over workers on many machines through BullMQ on Redis.
export { BullMqLauncher } from './bullmq-launcher.ts';
export type { BullMqLauncherOptions, QueueStatus } from './bullmq-launcher.ts';
export { QueueWorker } from './queue-worker.ts';
export type { QueueWorkerOptions } from './queue-worker.ts';
export { DEFAULT_QUEUE_NAME, parseQueueAddress } from './connection.ts';
export type { QueueAddress } from './connection.ts';
export { jobDataProblem, isPermanentFailure } from './job-data.ts';
export type { RunJobData, RunJobProgress, RunJobResult } from './job-data.ts';
export { installRunFolder, readRunFolder } from './run-folder-bundle.ts';
export { storeIdentity } from './store-identity.ts';
