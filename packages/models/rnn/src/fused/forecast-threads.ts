// Node only (worker_threads): the browser uses ForecastKernel (./forecast-kernel.ts) alone.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Architecture } from '../rnn-model.ts';
import { FORECAST_CHUNK, ForecastKernel } from './forecast-kernel.ts';

const WORKER_URL = new URL('./forecast-worker.mjs', import.meta.url);
/** Control slots (Int32) of the hand-off; the same numbers in forecast-worker.mjs. */
const REQ = 0;
const DONE = 1;
const OP = 2;
const ROWS = 3;
const PARAMS_GEN = 4;
const READY = 5;
const ERROR = 6;
const OP_RUN = 1;
const OP_QUIT = 2;
/** How long the calling thread polls for the worker's rows before it sleeps on Atomics.wait. */
const SPIN_MS = 0.2;

export interface ForecastThreadOptions {
  /** Chunks of fewer rows stay on the calling thread (a hand-off costs tens of microseconds; a one-row push ~15 us). Default 64. */
  minRows?: number;
  /** A batch `forecast` of fewer rows does not start the worker (starting it costs tens of ms of CPU); once started, every chunk of minRows uses it. Default 8192. */
  minBatchRows?: number;
  /** Longest wait for the worker's rows of a chunk; past it the kernel computes them itself and stops using the worker. Default 10,000 ms. */
  timeoutMs?: number;
}

/** What the split did so far (tests and benches). */
export interface ForecastThreadStats {
  /** Chunks split between the two threads. */
  splitChunks: number;
  /** Rows of those chunks the worker computed. */
  workerRows: number;
  /** Rows of those chunks the calling thread computed. */
  mainRows: number;
}

/**
 * A ForecastKernel whose chunks of at least `minRows` rows run on two threads: a worker
 * thread with a second instance of the same module computes the first m rows whole (the
 * teacher-forced pass from the chunk's start state, then their free-running steps), while
 * the calling thread runs the teacher-forced pass over all n rows (it needs the state after
 * the last row) and the free-running steps of rows [m, n). Rows are independent in the
 * free-running steps and both instances run the same code on the same inputs, so the
 * numbers are those of ForecastKernel bit for bit, whatever the split. m is chosen so that
 * both finish together, from the measured speed of each side (it adapts when a busy core
 * slows one of them).
 *
 * The worker starts with the first push (`stepRows`) of minRows rows or batch `forecast` of
 * minBatchRows rows, or `start()`, in the background: chunks run on the calling thread
 * until it is ready, so nothing ever waits for it to start. It is unref'ed (a forgotten
 * kernel does not keep the process alive) and ends with `dispose()`; the kernel stays
 * usable on the calling thread after that. Shared memory: one SharedArrayBuffer with the
 * parameters, the chunk's start state, the worker's input and output rows, and one with the
 * control slots.
 */
export class ThreadedForecastKernel extends ForecastKernel {
  readonly stats: ForecastThreadStats = { splitChunks: 0, workerRows: 0, mainRows: 0 };
  private readonly minRows: number;
  private readonly minBatchRows: number;
  private readonly timeoutMs: number;
  private readonly ctrl: Int32Array;
  private readonly shared: { params: Float32Array; state: Float32Array; input: Float32Array; out: Float32Array; finishedAt: Float64Array };
  private readonly workerData: Record<string, unknown>;
  private worker?: Worker;
  private port?: MessagePort;
  /** No (more) worker: disposed, failed to start, or it did not answer in time. */
  private closed = false;
  private gen = 0;
  /** Fraction of a chunk's rows the worker takes (first guess; then from the measured speeds, see rebalance). */
  private share = 0.5;
  private exited: Promise<void> = Promise.resolve();

  constructor(module: WebAssembly.Module, arch: Architecture, horizon: number, chunk = FORECAST_CHUNK, options: ForecastThreadOptions = {}) {
    super(new WebAssembly.Instance(module, {}), arch, horizon, chunk);
    this.minRows = Math.max(2, options.minRows ?? 64);
    this.minBatchRows = options.minBatchRows ?? 8192;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const C = arch.channels;
    const floats = this.size + this.stateLength + chunk * C + chunk * horizon * C;
    const timeOffset = Math.ceil((floats * 4) / 8) * 8;
    const buffer = new SharedArrayBuffer(timeOffset + 8);
    let at = 0;
    const take = (n: number) => {
      const view = new Float32Array(buffer, at * 4, n);
      at += n;
      return view;
    };
    this.shared = { params: take(this.size), state: take(this.stateLength), input: take(chunk * C), out: take(chunk * horizon * C), finishedAt: new Float64Array(buffer, timeOffset, 1) };
    const control = new SharedArrayBuffer(8 * 4);
    this.ctrl = new Int32Array(control);
    this.workerData = { module, arch: { ...arch }, horizon, chunk, size: this.size, control, shared: buffer };
  }

  override load(params: Float32Array): void {
    super.load(params);
    // The worker reloads before its next chunk when the generation moved (it is idle now: hand-offs are synchronous).
    this.shared.params.set(params);
    Atomics.add(this.ctrl, PARAMS_GEN, 1);
  }

  override stepRows(values: Float32Array, rows: number, state: Float32Array, out: Float32Array): void {
    if (rows >= this.minRows) this.start();
    super.stepRows(values, rows, state, out);
  }

  override forecast(values: Float32Array, rows: number): Float32Array {
    if (rows >= this.minBatchRows) this.start();
    return super.forecast(values, rows);
  }

  /** Start the worker thread (in the background: it takes a few tens of ms). Idempotent; nothing after dispose(). */
  start(): void {
    if (this.worker || this.closed) return;
    const { port1, port2 } = new MessageChannel();
    this.worker = new Worker(WORKER_URL, { workerData: { ...this.workerData, port: port2 }, transferList: [port2] });
    this.worker.unref();
    // Failures are reported through the control slots and the port; this only keeps an 'error' event from being unhandled.
    this.worker.on('error', () => {});
    this.port = port1;
  }

  /** Whether the worker is set up and takes rows of chunks of minRows rows now. */
  get threaded(): boolean {
    return this.worker !== undefined && !this.closed && Atomics.load(this.ctrl, READY) === 1;
  }

  /** Resolves once the worker is ready (true) or will not be (false: not started, failed, disposed, or not within timeoutMs). */
  async ready(): Promise<boolean> {
    const deadline = performance.now() + this.timeoutMs;
    while (this.worker && !this.closed && Atomics.load(this.ctrl, READY) === 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
    return this.threaded;
  }

  protected override runChunk(values: Float32Array, n: number, dest: Float32Array, offset: number): void {
    if (n < this.minRows || !this.worker || this.closed || !this.workerReady()) {
      super.runChunk(values, n, dest, offset);
      return;
    }
    const C = this.arch.channels;
    const size = this.horizon * C;
    const m = Math.min(n - 1, Math.max(1, Math.round(n * this.share)));
    const { ctrl, shared, views, x } = this;
    // The worker's rows [0, m), from the chunk's start state.
    shared.state.set(views.state);
    shared.input.set(values.subarray(0, m * C));
    const gen = ++this.gen;
    Atomics.store(ctrl, OP, OP_RUN);
    Atomics.store(ctrl, ROWS, m);
    const sentAt = performance.timeOrigin + performance.now();
    Atomics.store(ctrl, REQ, gen);
    Atomics.notify(ctrl, REQ);
    // This thread: the teacher-forced pass over all rows (carries the state on), free-running rows [m, n).
    const t0 = performance.now();
    views.input.set(values);
    x.forecastTeacherPass(n);
    const t1 = performance.now();
    x.forecastFreeRows(m, n);
    const t2 = performance.now();
    dest.set(views.out.subarray(m * size, n * size), offset + m * size);
    if (!this.awaitDone(gen)) {
      // No answer in time (a starved or dead worker): the rows from this instance's own teacher pass, and no worker from now on.
      x.forecastFreeRows(0, m);
      dest.set(views.out.subarray(0, m * size), offset);
      void this.dispose();
      return;
    }
    dest.set(shared.out.subarray(0, m * size), offset);
    this.stats.splitChunks++;
    this.stats.workerRows += m;
    this.stats.mainRows += n - m;
    this.rebalance(n, m, t1 - t0, t2 - t1, shared.finishedAt[0]! - sentAt);
  }

  /** Set up? Never waits: until it is, chunks run on this thread. A worker that failed to start is let go. */
  private workerReady(): boolean {
    const ready = Atomics.load(this.ctrl, READY);
    if (ready === -1) void this.dispose();
    return ready === 1;
  }

  /**
   * Next share from this chunk's speeds (ms per row): the worker's rows took it `workerMs`
   * from the hand-off (its wake-up included), this thread's cost it the teacher-forced pass
   * (every row) + the free-running steps (its rows). Both finish together when
   * m * worker = n * teacher + (n - m) * free.
   */
  private rebalance(n: number, m: number, teacherMs: number, freeMs: number, workerMs: number): void {
    const teacher = teacherMs / n;
    const free = freeMs / (n - m);
    const worker = workerMs / m;
    if (!(teacher > 0 && free > 0 && worker > 0)) return;
    const target = Math.min(0.95, Math.max(0.05, (teacher + free) / (worker + free)));
    this.share += 0.3 * (target - this.share);
  }

  /** Wait for chunk `gen`; false on timeout. A worker error is thrown (a bug, not load). */
  private awaitDone(gen: number): boolean {
    const start = performance.now();
    const deadline = start + this.timeoutMs;
    // Spin a little first: the split makes both sides finish together, and waking from Atomics.wait takes tens of microseconds (more on a busy machine).
    while (Atomics.load(this.ctrl, DONE) !== gen && performance.now() - start < SPIN_MS);
    for (;;) {
      const done = Atomics.load(this.ctrl, DONE);
      if (done === gen) break;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.ctrl, DONE, done, Math.min(left, 1000));
    }
    if (Atomics.load(this.ctrl, ERROR) !== 0) {
      const error = this.workerError();
      void this.dispose();
      throw new Error(`rnn: forecast worker failed: ${error ?? 'unknown error'}`);
    }
    return true;
  }

  private workerError(): string | undefined {
    if (!this.port || Atomics.load(this.ctrl, ERROR) === 0) return undefined;
    return (receiveMessageOnPort(this.port)?.message as { error?: string } | undefined)?.error;
  }

  /** End the worker (idempotent); resolves when it has exited. The kernel goes on single-threaded. */
  dispose(): Promise<void> {
    if (this.closed) return this.exited;
    this.closed = true;
    const { worker, port } = this;
    if (worker) {
      Atomics.store(this.ctrl, OP, OP_QUIT);
      Atomics.store(this.ctrl, REQ, ++this.gen);
      Atomics.notify(this.ctrl, REQ);
      this.exited = worker.terminate().then(
        () => port?.close(),
        () => port?.close(),
      );
    }
    return this.exited;
  }

  /** Thread id of the live worker, if any (tests: none after dispose). */
  get liveThreads(): number[] {
    return this.worker && this.worker.threadId >= 0 ? [this.worker.threadId] : [];
  }
}
