import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { HttpError } from './errors.ts';

/** Where a submitted experiment is: waiting, its child process launching, running, or done. */
export type JobState = 'queued' | 'starting' | 'running' | 'finished' | 'cancelled' | 'failed';

/** What to run: an experiment file (already validated) plus `--set` overrides. */
export interface JobSpec {
  /** The run id, chosen up front (`--run-id`), so the id returned at submission never changes. */
  id: string;
  /** Experiment file handed to the CLI (absolute, or relative to the queue's cwd). */
  file: string;
  /** Folder relative paths in the experiment resolve against (`--base-dir`; as validated). */
  baseDir?: string;
  overrides: string[];
  /** For listings while queued: the resolved experiment's name, dataset and model. */
  experiment: string;
  dataset: string;
  model: string;
  /** Where the experiment came from: a file name under experiments/ or `<inline>`. */
  source: string;
  /** Called once the child has exited or the job was dropped (removes temp files). */
  cleanup?: () => Promise<void>;
}

/** One submitted experiment; `id` is its run's id, valid before the run folder exists. */
export interface RunJob extends Omit<JobSpec, 'cleanup'> {
  id: string;
  state: JobState;
  /** Set (to `id`) once the child has created the run folder. */
  runId?: string;
  queuedAt: string;
  startedAt?: string;
  endedAt?: string;
  exitCode?: number | null;
  exitSignal?: string | null;
  cancelRequested: boolean;
  /** Last lines of the child's stdout/stderr (why a job failed before it had a run folder). */
  output: string[];
}

interface JobInternal extends RunJob {
  child?: ChildProcess;
  cleanup?: () => Promise<void>;
}

export interface RunQueueOptions {
  /** Run store root, passed to the CLI as `--runs`. */
  runsDir: string;
  /** packages/cli/bin/anomalab.js. */
  cliPath: string;
  /** Working directory of the children (workspace root: plugin discovery starts there). */
  cwd: string;
  /** Children running at once (default 1: training saturates the cores). */
  maxConcurrent?: number;
  /** Finished jobs remembered (so their job ids keep resolving to run ids). */
  keepFinished?: number;
}

/** First log line of every run: `run <id>: <experiment> | ...` (see runExperiment). */
const RUN_LINE = /^run ([A-Za-z0-9][A-Za-z0-9._-]*)(?: \(resumed\))?: /;
const OUTPUT_LINES = 60;

/**
 * Runs experiments in child processes (`anomalab experiment <file> --runs <store>`), at
 * most `maxConcurrent` at a time, first come first served. A child is a separate process
 * so a crashing or CPU-bound training run cannot take the server down, and so Ctrl-C
 * semantics (SIGTERM -> checkpoint -> interrupted) are exactly the CLI's.
 *
 * Emits `change` (job) whenever a job changes state or learns its run id.
 */
export class RunQueue extends EventEmitter<{ change: [RunJob] }> {
  private readonly jobs = new Map<string, JobInternal>();
  private readonly pending: JobInternal[] = [];
  private readonly maxConcurrent: number;
  private readonly keepFinished: number;
  private closed = false;

  constructor(private readonly options: RunQueueOptions) {
    super();
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? 1);
    this.keepFinished = options.keepFinished ?? 500;
  }

  /** Queue an experiment; it starts as soon as a slot is free (maybe right away). */
  enqueue(spec: JobSpec): RunJob {
    if (this.closed) throw new HttpError(503, 'ANOMALAB_CONFLICT', 'the server is shutting down');
    if (this.jobs.has(spec.id)) throw new HttpError(409, 'ANOMALAB_CONFLICT', `run ${spec.id} is already queued`);
    const { cleanup, ...rest } = spec;
    const job: JobInternal = { ...rest, cleanup, state: 'queued', queuedAt: new Date().toISOString(), cancelRequested: false, output: [] };
    this.jobs.set(job.id, job);
    this.pending.push(job);
    this.changed(job);
    this.pump();
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

  /** Jobs waiting for a slot, in order (position 0 starts next). */
  queuePosition(id: string): number {
    return this.pending.findIndex((j) => j.id === id);
  }

  /**
   * Cancel: a queued job is dropped; a running child gets SIGTERM (the CLI then stops after
   * the current window, writes a checkpoint and marks the run interrupted). A child that
   * has not yet created its run folder gets the signal as soon as it has, because before
   * that the CLI has not installed its graceful handler.
   */
  cancel(id: string): RunJob {
    const job = this.jobs.get(id) ?? [...this.jobs.values()].find((j) => j.runId === id);
    if (!job) throw new HttpError(409, 'ANOMALAB_CONFLICT', `run ${id} was not started by this server: stop it where it runs (Ctrl-C)`);
    if (job.state === 'queued') {
      this.pending.splice(this.pending.indexOf(job), 1);
      job.state = 'cancelled';
      job.cancelRequested = true;
      job.endedAt = new Date().toISOString();
      void job.cleanup?.();
      this.changed(job);
    } else if (job.state === 'starting' || job.state === 'running') {
      if (!job.cancelRequested) {
        job.cancelRequested = true;
        if (job.runId) job.child?.kill('SIGTERM');
        this.changed(job);
      }
    } else {
      throw new HttpError(409, 'ANOMALAB_CONFLICT', `run ${job.runId ?? id} has already ended (${job.state})`);
    }
    return this.view(job);
  }

  /** Drop queued jobs, SIGTERM the children and wait for them (SIGKILL after `timeoutMs`). */
  async shutdown(timeoutMs = 10_000): Promise<void> {
    this.closed = true;
    for (const job of this.pending.splice(0)) {
      job.state = 'cancelled';
      job.endedAt = new Date().toISOString();
      await job.cleanup?.();
    }
    const live = [...this.jobs.values()].filter((j) => j.child && j.exitCode === undefined);
    await Promise.all(
      live.map(
        (job) =>
          new Promise<void>((done) => {
            const child = job.child!;
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  private running(): number {
    return [...this.jobs.values()].filter((j) => j.state === 'starting' || j.state === 'running').length;
  }

  private pump(): void {
    while (!this.closed && this.pending.length && this.running() < this.maxConcurrent) this.start(this.pending.shift()!);
  }

  private start(job: JobInternal): void {
    job.state = 'starting';
    job.startedAt = new Date().toISOString();
    const args = [
      this.options.cliPath, 'experiment', job.file,
      ...job.overrides.flatMap((o) => ['--set', o]),
      '--run-id', job.id,
      ...(job.baseDir ? ['--base-dir', job.baseDir] : []),
      '--runs', this.options.runsDir,
    ];
    const child = spawn(process.execPath, args, { cwd: this.options.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    job.child = child;
    this.changed(job);
    const onLine = (line: string) => {
      job.output.push(line);
      if (job.output.length > OUTPUT_LINES) job.output.shift();
      const match = job.runId ? null : RUN_LINE.exec(line);
      if (match && match[1] === job.id) {
        job.runId = match[1];
        job.state = 'running';
        // Cancelled while launching: now the CLI's graceful handler is in place.
        if (job.cancelRequested) child.kill('SIGTERM');
        this.changed(job);
      }
    };
    lines(child.stdout!, onLine);
    lines(child.stderr!, onLine);
    const finish = (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      if (job.exitCode !== undefined) return;
      job.exitCode = code;
      job.exitSignal = signal;
      job.endedAt = new Date().toISOString();
      if (error) job.output.push(`spawn failed: ${error.message}`);
      // With a run folder, run.json has the real outcome; without, the child failed early.
      job.state = job.runId ? 'finished' : job.cancelRequested ? 'cancelled' : 'failed';
      delete job.child;
      void job.cleanup?.();
      this.changed(job);
      this.forgetOld();
      this.pump();
    };
    // 'close' (not 'exit'): stdout is drained by then, so the run id line is never missed.
    child.on('close', (code, signal) => finish(code, signal));
    child.on('error', (error) => finish(null, null, error));
  }

  private forgetOld(): void {
    const done = [...this.jobs.values()].filter((j) => j.endedAt);
    for (const job of done.slice(0, Math.max(0, done.length - this.keepFinished))) this.jobs.delete(job.id);
  }

  private changed(job: JobInternal): void {
    this.emit('change', this.view(job));
  }

  private view(job: JobInternal): RunJob {
    const { child: _child, cleanup: _cleanup, ...rest } = job;
    return { ...rest, output: [...job.output] };
  }
}

/** Call `onLine` for every complete line of a stream. */
function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, nl).replace(/\r$/, ''));
      buffer = buffer.slice(nl + 1);
    }
  });
  stream.on('end', () => buffer && onLine(buffer));
}
