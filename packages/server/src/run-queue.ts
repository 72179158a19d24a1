import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import type { LaunchEvent, LaunchOutcome, RunLauncher } from '@anomalab/core';
import { HttpError } from './errors.ts';

/** Where a submitted experiment is: waiting, its process launching, running, or done. */
export type JobState = 'queued' | 'starting' | 'running' | 'finished' | 'cancelled' | 'failed';

/** What to run: a validated, fully resolved experiment. */
export interface JobSpec {
  /** The run id, chosen up front, so the id returned at submission never changes. */
  id: string;
  /** The resolved experiment (config.json of the run). */
  config: Record<string, unknown>;
  /** Folder relative paths in the experiment resolve against (as validated). */
  baseDir: string;
  /** Experiment file it came from (recorded in run.json), if any. */
  configFile?: string;
  /** For listings while queued: the resolved experiment's name, dataset and model. */
  experiment: string;
  dataset: string;
  model: string;
  /** Where the experiment came from: a file name under experiments/ or `<inline>`. */
  source: string;
}

/** One submitted experiment; `id` is its run's id, valid before the run folder exists. */
export interface RunJob extends Omit<JobSpec, 'config'> {
  id: string;
  state: JobState;
  /** Set (to `id`) once the run folder exists in this server's run store. */
  runId?: string;
  queuedAt: string;
  startedAt?: string;
  endedAt?: string;
  /** Where it runs (`host:pid`, or a queue worker's name). */
  where?: string;
  /** Last epoch reported while running. */
  progress?: { epoch: number; epochs: number };
  /** Why it ended without a run folder, or how the launcher saw it end. */
  error?: { code: string; message: string };
  cancelRequested: boolean;
  /** Last lines of the run's console output (why a job failed before it had a run folder). */
  output: string[];
}

interface JobInternal extends RunJob {
  abort: AbortController;
  done?: Promise<LaunchOutcome>;
}

export interface RunQueueOptions {
  /** Executes the runs: local child processes, or a distributed queue. */
  launcher: RunLauncher;
  /** Run store root of this server (where finished runs are, or arrive). */
  runsDir: string;
  /** Jobs waiting at most (default 100); more are answered 429 with Retry-After. */
  maxQueued?: number;
  /** Finished jobs remembered (so their job ids keep resolving to run ids). */
  keepFinished?: number;
}

const OUTPUT_LINES = 60;

/**
 * The server's submitted experiments: each is handed to the launcher at once (the
 * launcher bounds how many run), and followed through its structured events. A bounded
 * number may wait: past `maxQueued`, `enqueue` refuses with 429 and a Retry-After hint.
 *
 * Emits `change` (job) whenever a job changes state or learns its run id.
 */
export class RunQueue extends EventEmitter<{ change: [RunJob] }> {
  private readonly jobs = new Map<string, JobInternal>();
  private readonly maxQueued: number;
  private readonly keepFinished: number;
  private closed = false;

  constructor(private readonly options: RunQueueOptions) {
    super();
    this.maxQueued = options.maxQueued ?? 100;
    this.keepFinished = options.keepFinished ?? 500;
  }

  get launcher(): RunLauncher {
    return this.options.launcher;
  }

  /** Queue an experiment; it starts as soon as the launcher has a slot (maybe right away). */
  enqueue(spec: JobSpec): RunJob {
    if (this.closed) throw new HttpError(503, 'ANOMALAB_CONFLICT', 'the server is shutting down');
    if (this.jobs.has(spec.id)) throw new HttpError(409, 'ANOMALAB_CONFLICT', `run ${spec.id} is already queued`);
    const waiting = this.waiting().length;
    if (waiting >= this.maxQueued) {
      throw new HttpError(429, 'ANOMALAB_QUEUE_FULL', `${waiting} experiments are already waiting (at most ${this.maxQueued}); try again once some have started`, {
        'Retry-After': String(this.retryAfterSeconds()),
      });
    }
    const { config, ...rest } = spec;
    const job: JobInternal = { ...rest, state: 'queued', queuedAt: new Date().toISOString(), cancelRequested: false, output: [], abort: new AbortController() };
    this.jobs.set(job.id, job);
    this.changed(job);
    job.done = this.options.launcher.launch(
      { runId: job.id, config, baseDir: spec.baseDir, configFile: spec.configFile },
      { signal: job.abort.signal, onEvent: (event) => this.onEvent(job, event) },
    );
    return this.view(job);
  }

  /** A job by its job id or by the id of the run it created. */
  get(id: string): RunJob | undefined {
    const job = this.jobs.get(id) ?? [...this.jobs.values()].find((j) => j.runId === id);
    return job && this.view(job);
  }

  list(): RunJob[] {
    return [...this.jobs.values()].map((j) => this.view(j));
  }

  /** Jobs waiting for a slot, in order (position 0 starts next); -1 when not waiting. */
  queuePosition(id: string): number {
    return this.waiting().findIndex((j) => j.id === id);
  }

  /**
   * Cancel: a queued job is dropped; a running one stops after the current window, writes
   * a checkpoint and is marked interrupted.
   */
  cancel(id: string): RunJob {
    const job = this.jobs.get(id) ?? [...this.jobs.values()].find((j) => j.runId === id);
    if (!job) throw new HttpError(409, 'ANOMALAB_CONFLICT', `run ${id} was not started by this server: stop it where it runs (Ctrl-C)`);
    if (job.endedAt) throw new HttpError(409, 'ANOMALAB_CONFLICT', `run ${job.runId ?? id} has already ended (${job.state})`);
    if (!job.cancelRequested) {
      job.cancelRequested = true;
      job.abort.abort();
      this.changed(job);
    }
    return this.view(job);
  }

  /** Drop queued jobs, stop running ones gracefully and wait for them. */
  async shutdown(): Promise<void> {
    this.closed = true;
    await this.options.launcher.close();
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }

  private waiting(): JobInternal[] {
    return [...this.jobs.values()].filter((j) => j.state === 'queued');
  }

  /** Rough wait until a slot frees: the mean duration of recent runs, at least 5 s. */
  private retryAfterSeconds(): number {
    const recent = [...this.jobs.values()].filter((j) => j.startedAt && j.endedAt).slice(-10);
    const mean = recent.reduce((sum, j) => sum + (Date.parse(j.endedAt!) - Date.parse(j.startedAt!)), 0) / Math.max(1, recent.length);
    return Math.max(5, Math.ceil(mean / 1000));
  }

  private onEvent(job: JobInternal, event: LaunchEvent): void {
    switch (event.type) {
      case 'queued':
        return;
      case 'starting':
        job.state = 'starting';
        job.startedAt ??= new Date().toISOString();
        job.where = event.where;
        break;
      case 'started':
        job.state = 'running';
        job.where = event.where;
        // A remote worker's folder arrives here when the run ends (or at once on a shared store).
        if (existsSync(join(this.options.runsDir, job.id, 'run.json'))) job.runId = job.id;
        break;
      case 'epoch':
        job.progress = { epoch: event.epoch, epochs: event.epochs };
        break;
      case 'log':
        job.output.push(event.line);
        if (job.output.length > OUTPUT_LINES) job.output.shift();
        return; // not a state change
      case 'checkpoint':
      case 'retrying':
        return;
      case 'outcome': {
        const { outcome } = event;
        job.endedAt = new Date().toISOString();
        job.error = outcome.error;
        if (outcome.run || existsSync(join(this.options.runsDir, job.id, 'run.json'))) {
          job.runId = job.id;
          job.state = 'finished';
        } else job.state = outcome.status === 'cancelled' ? 'cancelled' : 'failed';
        this.changed(job);
        this.forgetOld();
        return;
      }
    }
    this.changed(job);
  }

  private forgetOld(): void {
    const done = [...this.jobs.values()].filter((j) => j.endedAt);
    for (const job of done.slice(0, Math.max(0, done.length - this.keepFinished))) this.jobs.delete(job.id);
  }

  private changed(job: JobInternal): void {
    this.emit('change', this.view(job));
  }

  private view(job: JobInternal): RunJob {
    const { abort: _abort, done: _done, ...rest } = job;
    return { ...rest, output: [...job.output] };
  }
}
