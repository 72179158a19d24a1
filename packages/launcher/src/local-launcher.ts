import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { AnomalabSettings, LaunchEvent, LaunchOptions, LaunchOutcome, LaunchRequest, LauncherStatus, RunLauncher } from '@anomalab/core';
import type { ChildMessage, RunMessage } from './child-protocol.ts';

const RUN_CHILD = fileURLToPath(new URL('../bin/run-child.js', import.meta.url));

export interface LocalLauncherOptions {
  /** Run store root the children write to. */
  runsDir: string;
  /** Runs at once (default 1: training saturates the cores). */
  parallel?: number;
  /** Working directory of the children (plugin discovery starts there; default: this process's). */
  cwd?: string;
  /** Environment of the children (default: this process's, with NO_COLOR=1). */
  env?: NodeJS.ProcessEnv;
  /** Children print only their final summary line (log.txt is still written). */
  quiet?: boolean;
  /** Settings the children run with (the caller's `--backend` / `--data-mirror`). */
  settings?: Partial<AnomalabSettings>;
  /** Time a child gets to stop after SIGTERM at `close()` before SIGKILL (default 10 s). */
  stopTimeoutMs?: number;
}

/** Local launches may go to another run store than the launcher's (a worker's staging folder). */
export interface LocalLaunchOptions extends LaunchOptions {
  runsDir?: string;
}

interface Slot {
  start: () => void;
  /** Drop it without starting (outcome `cancelled`). */
  drop: () => void;
}

/**
 * Runs each launch in its own child process (`bin/run-child.js`), at most `parallel` at
 * once, first come first served. A child is a separate process so a crashing or CPU-bound
 * run cannot take the caller down, and so Ctrl-C semantics are the CLI's: SIGTERM ->
 * checkpoint -> interrupted. Progress arrives as messages on the IPC channel; the child's
 * stdout/stderr lines are passed on as `log` events for display.
 */
export class LocalLauncher implements RunLauncher {
  readonly description: string;
  private readonly parallel: number;
  private readonly waiting: Slot[] = [];
  private readonly children = new Set<ChildProcess>();
  private running = 0;
  private closed = false;

  constructor(private readonly options: LocalLauncherOptions) {
    this.parallel = Math.max(1, options.parallel ?? 1);
    this.description = `${this.parallel} at a time`;
  }

  launch(request: LaunchRequest, options: LocalLaunchOptions = {}): Promise<LaunchOutcome> {
    const emit = (event: LaunchEvent) => options.onEvent?.(event);
    if (this.closed) return Promise.resolve(this.finish(emit, { runId: request.runId, status: 'cancelled', error: { code: 'ANOMALAB_INTERRUPTED', message: 'the launcher is shutting down' } }));
    return new Promise((done) => {
      const onAbort = () => {
        const index = this.waiting.indexOf(slot);
        if (index >= 0) this.waiting.splice(index, 1)[0]!.drop();
      };
      const slot: Slot = {
        start: () => {
          options.signal?.removeEventListener('abort', onAbort);
          void this.runChild(request, options).then(done);
        },
        drop: () => {
          options.signal?.removeEventListener('abort', onAbort);
          done(this.finish(emit, { runId: request.runId, status: 'cancelled' }));
        },
      };
      if (options.signal?.aborted) return slot.drop();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(slot);
      emit({ type: 'queued', runId: request.runId, position: this.waiting.length - 1 });
      this.pump();
    });
  }

  async status(): Promise<LauncherStatus> {
    return { kind: 'local', description: `local child processes, ${this.description}`, counts: { running: this.running, waiting: this.waiting.length } };
  }

  /** SIGTERM every child (each stops with a checkpoint), SIGKILL after `stopTimeoutMs`. */
  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.waiting.splice(0)) slot.drop();
    const timeout = this.options.stopTimeoutMs ?? 10_000;
    await Promise.all(
      [...this.children].map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
            child.once('close', () => {
              clearTimeout(timer);
              done();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  private pump(): void {
    while (!this.closed && this.running < this.parallel && this.waiting.length) {
      this.running++;
      this.waiting.shift()!.start();
    }
  }

  private finish(emit: (event: LaunchEvent) => void, outcome: LaunchOutcome): LaunchOutcome {
    emit({ type: 'outcome', runId: outcome.runId, outcome });
    return outcome;
  }

  private async runChild(request: LaunchRequest, options: LocalLaunchOptions): Promise<LaunchOutcome> {
    const emit = (event: LaunchEvent) => options.onEvent?.(event);
    const runId = request.runId;
    const child = spawn(process.execPath, [RUN_CHILD], {
      cwd: this.options.cwd ?? process.cwd(),
      env: this.options.env ?? { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.children.add(child);
    emit({ type: 'starting', runId, where: `${hostname()}:${child.pid}`, attempt: 1 });
    let outcome: LaunchOutcome | undefined;
    let started = false;
    let cancelRequested = false;
    // Before the run folder exists the child may still be loading; the signal handler is
    // installed first thing, so SIGTERM at any time ends in `cancelled` or `interrupted`.
    const cancel = () => {
      cancelRequested = true;
      child.kill('SIGTERM');
    };
    options.signal?.addEventListener('abort', cancel, { once: true });
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'outcome') outcome = message.outcome;
      else {
        if (message.type === 'started') started = true;
        emit(message);
      }
    });
    for (const [stream, name] of [[child.stdout!, 'out'], [child.stderr!, 'err']] as const) {
      createInterface({ input: stream }).on('line', (line) => emit({ type: 'log', runId, stream: name, line }));
    }
    const message: RunMessage = { type: 'run', request: { ...request, baseDir: resolve(request.baseDir) }, runsDir: options.runsDir ?? this.options.runsDir, quiet: this.options.quiet, settings: this.options.settings };
    child.send(message);
    const [code, signal, spawnError] = await new Promise<[number | null, NodeJS.Signals | null, Error?]>((done) => {
      child.once('error', (error) => done([null, null, error]));
      // 'close': stdout is drained and every IPC message delivered by then.
      child.once('close', (c, s) => done([c, s]));
    });
    options.signal?.removeEventListener('abort', cancel);
    this.children.delete(child);
    this.running--;
    this.pump();
    outcome ??= {
      runId,
      status: !started && cancelRequested ? 'cancelled' : started ? 'interrupted' : 'failed',
      error: {
        code: 'ANOMALAB_CHILD_EXITED',
        message: spawnError ? `cannot start the run process: ${spawnError.message}` : `the run process exited without an outcome (${signal ? `signal ${signal}` : `exit code ${code}`})`,
      },
    };
    return this.finish(emit, outcome);
  }
}
