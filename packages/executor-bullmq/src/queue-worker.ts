import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { LaunchOutcome, RunRecord } from '@anomalab/core';
import { LocalLauncher } from '@anomalab/launcher';
import { connectionOptions, runKeys, type QueueAddress } from './connection.ts';
import { isPermanentFailure, jobDataProblem, type RunJobData, type RunJobProgress, type RunJobResult } from './job-data.ts';
import { readBundle, readRunFolder, writeBundle, writeRunFolder } from './run-folder-bundle.ts';
import { storeIdentity } from './store-identity.ts';

export interface QueueWorkerOptions {
  address: QueueAddress;
  /** Runs at once on this machine (default 1), each in its own process. */
  concurrency?: number;
  /**
   * This worker's run store. When it is the submitter's store (a shared file system: same
   * `.store-id`), runs are written there directly; otherwise they run in a staging folder
   * and their folders are shipped back through Redis.
   */
  runsDir?: string;
  /** Where unshared runs execute before they are shipped (default: the OS temp folder). */
  stagingDir?: string;
  /** Lock of a running job; a crashed worker's job is taken over this long after (default 30 s). */
  lockDurationMs?: number;
  /** Working directory of the run processes (plugin discovery starts there). */
  cwd?: string;
  /** Worker log (default process.stdout / stderr). */
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

interface ActiveRun {
  controller: AbortController;
  /** Why it is being stopped: the submitter cancelled it, or this worker shuts down. */
  reason?: 'cancel' | 'shutdown';
}

/**
 * `anomalab worker`: takes runs from the BullMQ queue and executes each in its own child
 * process (the local launcher), so training never blocks this process's event loop and
 * BullMQ's lock renewal keeps going. Every checkpoint ships the run folder to Redis (the
 * job's snapshot), so a job recovered after this worker dies (stalled-job detection)
 * continues on another worker from that checkpoint. The finished folder is stored as the
 * job's result for the submitter to collect.
 */
export class QueueWorker {
  readonly name = `${hostname()}:${process.pid}`;
  private worker?: Worker<RunJobData, RunJobResult>;
  private readonly redis: Redis;
  private readonly launcher: LocalLauncher;
  private readonly active = new Map<string, ActiveRun>();
  private readonly stagingRoot: string;
  private storeId?: string;
  private cancelPoll?: NodeJS.Timeout;
  private readonly out: NodeJS.WritableStream;
  private readonly err: NodeJS.WritableStream;

  constructor(private readonly options: QueueWorkerOptions) {
    this.redis = new Redis(options.address.url, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(200 * n, 2000) });
    this.redis.on('error', () => undefined); // reconnects on its own; commands wait
    this.stagingRoot = resolve(options.stagingDir ?? join(tmpdir(), `anomalab-worker-${process.pid}`));
    this.out = options.out ?? process.stdout;
    this.err = options.err ?? process.stderr;
    const concurrency = Math.max(1, options.concurrency ?? 1);
    this.launcher = new LocalLauncher({ runsDir: this.stagingRoot, parallel: concurrency, cwd: options.cwd, quiet: false });
  }

  async start(): Promise<void> {
    if (this.options.runsDir) this.storeId = await storeIdentity(resolve(this.options.runsDir));
    const lockDuration = this.options.lockDurationMs ?? 30_000;
    this.worker = new Worker<RunJobData, RunJobResult>(this.options.address.name, (job, token) => this.process(job, token), {
      connection: connectionOptions(this.options.address),
      name: this.name,
      concurrency: Math.max(1, this.options.concurrency ?? 1),
      lockDuration,
      stalledInterval: Math.max(1000, Math.round(lockDuration / 2)),
      // A worker killed mid-run stalls its job; it is recovered (resumed elsewhere) up to 5 times.
      maxStalledCount: 5,
    });
    this.worker.on('error', (error) => this.err.write(`worker: ${error.message}\n`));
    await this.worker.waitUntilReady();
    // Cancellation requests from submitters: a key per run, checked every second.
    this.cancelPoll = setInterval(() => void this.pollCancels(), 1000);
    this.out.write(`worker ${this.name}: taking runs from ${this.options.address.display} (queue ${this.options.address.name}, ${Math.max(1, this.options.concurrency ?? 1)} at a time)${this.storeId ? `, run store ${resolve(this.options.runsDir!)}` : ''}\n`);
  }

  /** Stop taking jobs; running runs stop with a checkpoint and go back to the queue for another worker. */
  async close(): Promise<void> {
    clearInterval(this.cancelPoll);
    for (const run of this.active.values()) {
      run.reason ??= 'shutdown';
      run.controller.abort();
    }
    await this.worker?.close();
    await this.launcher.close();
    this.redis.disconnect();
    await rm(this.stagingRoot, { recursive: true, force: true });
  }

  private async pollCancels(): Promise<void> {
    for (const [runId, run] of this.active) {
      if (run.reason) continue;
      const wanted = await this.redis.exists(runKeys(this.options.address.name, runId).cancel).catch(() => 0);
      if (wanted) {
        run.reason = 'cancel';
        run.controller.abort();
      }
    }
  }

  private async process(job: Job<RunJobData, RunJobResult>, token?: string): Promise<RunJobResult> {
    const problem = jobDataProblem(job.data);
    if (problem) throw new UnrecoverableError(`ANOMALAB_JOB_INVALID: ${problem}`);
    const { request, storeId } = job.data;
    const runId = request.runId;
    const keys = runKeys(this.options.address.name, runId);
    const attempt = job.attemptsMade + 1;
    const shared = this.storeId !== undefined && this.storeId === storeId;
    const runsDir = shared ? resolve(this.options.runsDir!) : join(this.stagingRoot, `${runId}-${randomBytes(3).toString('hex')}`);
    const runDir = join(runsDir, runId);
    const progress = (p: RunJobProgress) => job.updateProgress(p as unknown as object).catch(() => undefined);

    // Where to start: a finished or checkpointed folder from an earlier attempt, or nothing.
    let resume = false;
    if (shared) {
      const record = await readRecord(runDir);
      if (record?.status === 'completed') return { status: 'completed', shared, where: this.name };
      resume = record !== undefined;
    } else {
      const snapshot = await readBundle(this.redis, keys.snapshot);
      if (snapshot) {
        await writeRunFolder(runDir, snapshot);
        resume = true;
      } else await mkdir(runsDir, { recursive: true });
    }
    this.out.write(`[${runId}] ${resume ? 'resuming' : 'starting'} (attempt ${attempt}${shared ? ', shared run store' : ''})\n`);

    const run: ActiveRun = { controller: new AbortController() };
    this.active.set(runId, run);
    let uploads = Promise.resolve();
    const ship = (key: string, epoch?: number) => {
      uploads = uploads.then(async () => {
        if (!existsSync(join(runDir, 'run.json'))) return;
        try {
          await writeBundle(this.redis, key, await readRunFolder(runDir));
          if (epoch === undefined) return;
          this.out.write(`[${runId}] checkpoint of epoch ${epoch} shipped\n`);
          await progress({ phase: 'running', where: this.name, attempt, checkpointEpoch: epoch });
        } catch (error) {
          this.err.write(`[${runId}] could not ship the run folder: ${(error as Error).message} (retried at the next checkpoint)\n`);
        }
      });
      return uploads;
    };
    let outcome: LaunchOutcome;
    try {
      outcome = await this.launcher.launch({ ...request, resume }, { runsDir, signal: run.controller.signal, onEvent: (event) => {
        if (event.type === 'starting' || event.type === 'started') void progress({ phase: event.type === 'starting' ? 'starting' : 'running', where: this.name, attempt });
        else if (event.type === 'epoch') void progress({ phase: 'running', where: this.name, attempt, epoch: event.epoch, epochs: event.epochs, loss: event.loss });
        else if (event.type === 'checkpoint') {
          // The snapshot is what a recovered job resumes from: every checkpoint travels.
          if (!shared) void ship(keys.snapshot, event.epoch);
          else void progress({ phase: 'running', where: this.name, attempt, checkpointEpoch: event.epoch });
        } else if (event.type === 'log') (event.stream === 'out' ? this.out : this.err).write(`[${runId}] ${event.line}\n`);
      } });
    } finally {
      this.active.delete(runId);
    }
    await uploads;

    const code = outcome.error?.code;
    if (run.reason === 'shutdown' && outcome.status !== 'completed') {
      // This worker is going away: the checkpoint just written travels with the job.
      if (!shared) await ship(keys.snapshot);
      await this.cleanup(shared, runsDir);
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const final = outcome.status === 'completed' || run.reason === 'cancel' || isPermanentFailure(code) || attempt >= (job.opts.attempts ?? 1);
    if (!shared) await this.shipWithRetry(final ? keys.result : keys.snapshot, runDir, runId);
    await this.cleanup(shared, runsDir);
    this.out.write(`[${runId}] ${outcome.status}${outcome.error ? `: ${outcome.error.message.split('\n')[0]}` : ''}\n`);
    if (outcome.status === 'completed') return { status: 'completed', shared, where: this.name };
    const reason = `${code ?? 'ANOMALAB_INTERNAL'}: ${outcome.error?.message ?? outcome.status}`;
    // Bad input fails once; anything else is retried (BullMQ attempts + backoff) from the last checkpoint.
    if (final) throw new UnrecoverableError(reason);
    throw new Error(reason);
  }

  /** The final folder must reach Redis: retry through a Redis restart (bounded: 2 minutes). */
  private async shipWithRetry(key: string, runDir: string, runId: string): Promise<void> {
    if (!existsSync(join(runDir, 'run.json'))) return;
    const files = await readRunFolder(runDir);
    const deadline = Date.now() + 120_000;
    for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
      try {
        return await writeBundle(this.redis, key, files);
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`cannot ship run ${runId} to Redis: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async cleanup(shared: boolean, runsDir: string): Promise<void> {
    if (!shared) await rm(runsDir, { recursive: true, force: true });
  }
}

async function readRecord(runDir: string): Promise<RunRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}
