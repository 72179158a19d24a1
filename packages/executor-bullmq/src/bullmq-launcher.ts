import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { FsRunStore, type LaunchEvent, type LaunchOptions, type LaunchOutcome, type LaunchRequest, type LauncherStatus, type RunLauncher, type RunSummary } from '@anomalab/core';
import { connectionOptions, runKeys, type QueueAddress } from './connection.ts';
import type { RunJobData, RunJobProgress, RunJobResult } from './job-data.ts';
import { installRunFolder, readBundle, readRunFolder, writeBundle } from './run-folder-bundle.ts';
import { storeIdentity } from './store-identity.ts';

export interface BullMqLauncherOptions {
  address: QueueAddress;
  /** The submitter's run store: finished run folders are installed here. */
  runsDir: string;
  /** Tries per run for transient failures (default 3); bad input fails at the first. */
  attempts?: number;
  /** First retry delay, doubled each time (default 2 s). */
  backoffMs?: number;
  /** How often a launch looks at its job (default 250 ms). */
  pollMs?: number;
  /** Where connection trouble is reported (default process.stderr). */
  err?: NodeJS.WritableStream;
}

/** Workers and job counts, for `serve --queue`'s UI. */
export interface QueueStatus extends LauncherStatus {
  kind: 'queue';
  url: string;
  queue: string;
  workers: NonNullable<LauncherStatus['workers']>;
}

type JobHandle = Job<RunJobData, RunJobResult>;

/** BullMQ lists Redis clients (`rawname` `bull:<queue>:w:<worker name>`); a worker has several. */
function workerList(clients: Record<string, string>[]): QueueStatus['workers'] {
  const byName = new Map<string, QueueStatus['workers'][number]>();
  for (const c of clients) {
    const raw = c.rawname ?? '';
    const name = raw.includes(':w:') ? raw.slice(raw.indexOf(':w:') + 3) : raw || '?';
    if (!byName.has(name)) byName.set(name, { name, addr: c.addr, ageSeconds: c.age ? Number(c.age) : undefined, idleSeconds: c.idle ? Number(c.idle) : undefined });
  }
  return [...byName.values()];
}
const FINISHED = new Set(['completed', 'failed']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The distributed RunLauncher: each launch is a BullMQ job whose id is the run id (so a
 * run is queued at most once), carrying the fully resolved config. The launch follows its
 * job and, when it has finished, installs the run folder the worker shipped into this
 * store in one step, then removes the job and its Redis keys. A submitter that was killed
 * and runs the same command again attaches to the jobs still queued or running and
 * collects the finished ones.
 */
export class BullMqLauncher implements RunLauncher {
  readonly description: string;
  private readonly queue: Queue<RunJobData, RunJobResult>;
  private readonly redis: Redis;
  private readonly store: FsRunStore;
  private storeId?: Promise<string>;
  private closed = false;
  private warnedAt = 0;
  private submissions: Promise<void> = Promise.resolve();

  constructor(private readonly options: BullMqLauncherOptions) {
    this.description = `through the queue ${options.address.name} at ${options.address.display}`;
    this.queue = new Queue(options.address.name, { connection: connectionOptions(options.address) });
    this.queue.on('error', () => undefined); // reconnects; polls report outages
    this.redis = new Redis(options.address.url, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(200 * n, 2000) });
    this.redis.on('error', () => undefined);
    this.store = new FsRunStore(options.runsDir);
  }

  async launch(request: LaunchRequest, options: LaunchOptions = {}): Promise<LaunchOutcome> {
    const emit = (event: LaunchEvent) => options.onEvent?.(event);
    const finish = (outcome: LaunchOutcome) => {
      emit({ type: 'outcome', runId: outcome.runId, outcome });
      return outcome;
    };
    const runId = request.runId;
    try {
      // Submissions one at a time, in call order: jobs reach the queue in the sweep's order.
      const submitted = this.submissions.then(() => this.submit(request, options));
      this.submissions = submitted.then(() => undefined, () => undefined);
      const { job, collected } = await submitted;
      if (collected) return finish(collected);
      if (!job) return finish({ runId, status: 'cancelled' });
      emit({ type: 'queued', runId });
      return finish(await this.follow(job.id!, request, emit, options.signal));
    } catch (error) {
      return finish({ runId, status: 'failed', error: { code: 'ANOMALAB_QUEUE_UNAVAILABLE', message: `queue ${this.options.address.display}: ${(error as Error).message}` } });
    }
  }

  /** Attach to the run's job, collect it if it finished unfollowed, or add it. */
  private async submit(request: LaunchRequest, options: LaunchOptions): Promise<{ job?: JobHandle; collected?: LaunchOutcome }> {
    const runId = request.runId;
    const keys = runKeys(this.options.address.name, runId);
    {
      let job = (await this.queue.getJob(runId)) as JobHandle | undefined;
      if (job && FINISHED.has(await job.getState())) {
        // Finished while nobody followed it: collect it now (unless that already happened).
        if ((await this.redis.exists(keys.result)) || job.returnvalue?.shared) return { collected: await this.collect(job, request) };
        await job.remove();
        job = undefined;
      }
      if (!job) {
        if (options.signal?.aborted) return {};
        await this.redis.del(keys.result, keys.cancel, keys.snapshot);
        // Continuing a run of this store: its folder travels as the snapshot to resume from.
        const localDir = join(this.store.root, runId);
        if (request.resume && existsSync(join(localDir, 'run.json'))) await writeBundle(this.redis, keys.snapshot, await readRunFolder(localDir));
        const data: RunJobData = { format: 'anomalab-job/1', request: { ...request, resume: undefined }, storeId: await this.identity(), submittedBy: `${hostname()}:${process.pid}` };
        job = (await this.queue.add('run', data, {
          jobId: runId,
          attempts: this.options.attempts ?? 3,
          backoff: { type: 'exponential', delay: this.options.backoffMs ?? 2000 },
        })) as JobHandle;
      }
      return { job };
    }
  }

  /** Poll the job until it has finished (through Redis outages), reporting its progress. */
  private async follow(jobId: string, request: LaunchRequest, emit: (event: LaunchEvent) => void, signal?: AbortSignal): Promise<LaunchOutcome> {
    const runId = request.runId;
    const keys = runKeys(this.options.address.name, runId);
    // What has been reported already, so each progress change becomes one event.
    let seen: { attempt?: number; where?: string; started?: number; epoch?: number; checkpoint?: number; failures: number } = { failures: 0 };
    let cancel = false;
    const onAbort = () => (cancel = true);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      while (!this.closed) {
        try {
          const job = (await this.queue.getJob(jobId)) as JobHandle | undefined;
          if (!job) return { runId, status: 'cancelled', error: { code: 'ANOMALAB_INTERRUPTED', message: 'the job was removed from the queue' } };
          const state = await job.getState();
          if (FINISHED.has(state)) return await this.collect(job, request);
          if (cancel) {
            if (state === 'active') await this.redis.set(keys.cancel, '1', 'EX', 3600);
            else if ((await job.remove().then(() => true, () => false)) === true) return { runId, status: 'cancelled' };
          }
          const p = job.progress as Partial<RunJobProgress> | number | undefined;
          if (typeof p === 'object' && p && p.attempt !== undefined && state === 'active') {
            if (p.attempt !== seen.attempt || (p.where && p.where !== seen.where)) {
              seen = { ...seen, attempt: p.attempt, where: p.where, started: undefined, epoch: undefined, checkpoint: undefined };
              emit({ type: 'starting', runId, where: p.where ?? '?', attempt: p.attempt });
            }
            if (p.phase === 'running' && seen.started !== p.attempt) {
              seen.started = p.attempt;
              emit({ type: 'started', runId, resumed: p.attempt > 1, where: p.where ?? '?' });
            }
            if (p.epoch !== undefined && p.epoch !== seen.epoch) {
              seen.epoch = p.epoch;
              emit({ type: 'epoch', runId, epoch: p.epoch, epochs: p.epochs ?? 0, loss: p.loss });
            }
            if (p.checkpointEpoch !== undefined && p.checkpointEpoch !== seen.checkpoint) {
              seen.checkpoint = p.checkpointEpoch;
              emit({ type: 'checkpoint', runId, epoch: p.checkpointEpoch });
            }
          }
          if (job.attemptsMade > seen.failures) {
            seen.failures = job.attemptsMade;
            emit({ type: 'retrying', runId, attempt: job.attemptsMade + 1, delayMs: Math.max(0, job.delay ?? 0), message: `attempt ${job.attemptsMade} failed: ${job.failedReason ?? 'unknown error'}` });
          }
        } catch (error) {
          // Redis restarting or unreachable: keep following; say so at most every 10 s.
          if (Date.now() - this.warnedAt > 10_000) {
            this.warnedAt = Date.now();
            (this.options.err ?? process.stderr).write(`queue ${this.options.address.display} unreachable (${(error as Error).message}); still following\n`);
          }
        }
        await sleep(this.options.pollMs ?? 250);
      }
      return { runId, status: 'running', error: { code: 'ANOMALAB_INTERRUPTED', message: 'stopped following; the run continues on the queue (run the same command again to collect it)' } };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Install the shipped folder (or record the failure), then forget the job and its keys. */
  private async collect(job: JobHandle, request: LaunchRequest): Promise<LaunchOutcome> {
    const runId = request.runId;
    const keys = runKeys(this.options.address.name, runId);
    const state = await job.getState();
    const bundle = await readBundle(this.redis, keys.result);
    if (bundle) await installRunFolder(this.store.root, runId, bundle);
    let run: RunSummary | undefined = await this.store.get(runId).catch(() => undefined);
    const reason = job.failedReason ?? 'failed on the queue';
    if (!run && state === 'failed') run = await this.recordFailure(request, reason);
    await this.redis.del(keys.result, keys.snapshot, keys.cancel);
    await job.remove().catch(() => undefined);
    if (!run) return { runId, status: 'failed', error: { code: 'ANOMALAB_QUEUE_FAILED', message: reason } };
    return { runId, status: run.status, run, ...(run.error ? { error: run.error } : {}) };
  }

  /** A job that failed without a run folder (e.g. stalled too often) still shows in `runs list`. */
  private async recordFailure(request: LaunchRequest, message: string): Promise<RunSummary | undefined> {
    const c = request.config as { name?: string; seed?: number; dataset?: { name?: string; series?: string }; model?: { name?: string } };
    try {
      await this.store.create(
        { id: request.runId, experiment: c.name ?? 'experiment', dataset: `${c.dataset?.name ?? '?'}/${c.dataset?.series ?? 'default'}`, model: c.model?.name ?? '?', seed: c.seed ?? 0, backend: 'none', node: process.version, versions: {}, configFile: request.configFile, sweep: request.sweep },
        request.config,
      );
      return await this.store.update(request.runId, { status: 'failed', endedAt: new Date().toISOString(), error: { code: 'ANOMALAB_QUEUE_FAILED', message } });
    } catch {
      return undefined;
    }
  }

  async status(): Promise<QueueStatus> {
    const [counts, workers] = await Promise.all([
      this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'),
      this.queue.getWorkers(),
    ]);
    return {
      kind: 'queue',
      description: this.description,
      url: this.options.address.display,
      queue: this.options.address.name,
      workers: workerList(workers),
      counts,
    };
  }

  /** Stop following (runs go on on the workers) and close the connections. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.close().catch(() => undefined);
    this.redis.disconnect();
  }

  private identity(): Promise<string> {
    this.storeId ??= storeIdentity(resolve(this.options.runsDir));
    return this.storeId;
  }
}
