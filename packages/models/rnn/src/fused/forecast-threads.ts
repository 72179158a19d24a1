// Node only (worker_threads): the browser uses ForecastKernel (./forecast-kernel.ts) alone.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Architecture } from '../rnn-model.ts';
import { CELL_CODES, FORECAST_CHUNK, ForecastKernel } from './forecast-kernel.ts';

const WORKER_URL = new URL('./forecast-worker.mjs', import.meta.url);
/** Helper control slots (Int32), and a kernel's own (set up by the helper: 1, or -1 on failure; parameter generation). The worker gets them in workerData: one definition. */
const SLOTS = { REQ: 0, DONE: 1, RUN_GEN: 2, RUN_KERNEL: 3, RUN_ROWS: 4, ERROR: 5, QUIT: 6, K_READY: 0, K_PARAMS_GEN: 1 } as const;
const { REQ, DONE, RUN_GEN, RUN_KERNEL, RUN_ROWS, ERROR, QUIT, K_READY, K_PARAMS_GEN } = SLOTS;
/** How long the calling thread polls for the helper's rows before it sleeps on Atomics.wait. */
const SPIN_MS = 0.2;
/** Every this many eligible chunks, one runs the other way (split / alone) to keep both costs current. */
const PROBE_EVERY = 50;

/**
 * The forecast helper thread: one per JavaScript thread that uses ThreadedForecastKernels
 * (a server with many stream sessions starts one, ~20 MB, not one per session), holding a
 * second instance of the fused module for each kernel. Started by the first kernel that
 * needs it, ended when the last one is disposed; unref'ed, so it never keeps the process
 * alive. Hand-offs are synchronous (the caller waits for the helper's rows), so one set of
 * control slots serves all kernels.
 */
class ForecastHelper {
  private static current?: ForecastHelper;

  /** The running helper, started if needed; `release()` once per acquire. */
  static acquire(): ForecastHelper {
    const helper = (ForecastHelper.current ??= new ForecastHelper());
    helper.users++;
    return helper;
  }

  readonly ctrl = new Int32Array(new SharedArrayBuffer(8 * 4));
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private users = 0;
  private gen = 0;
  closed = false;
  private exited: Promise<void> = Promise.resolve();

  private constructor() {
    const { port1, port2 } = new MessageChannel();
    this.worker = new Worker(WORKER_URL, { workerData: { control: this.ctrl.buffer, port: port2, slots: SLOTS }, transferList: [port2] });
    this.worker.unref();
    // Failures come back through the control slots and the port; this only keeps an 'error' event from being unhandled.
    this.worker.on('error', () => {});
    this.port = port1;
  }

  /** A message for the helper (add / remove a kernel), read when it next wakes; nothing waits for it. */
  post(message: Record<string, unknown>): void {
    if (this.closed) return;
    this.port.postMessage(message);
    Atomics.store(this.ctrl, REQ, ++this.gen);
    Atomics.notify(this.ctrl, REQ);
  }

  /** Ask for rows [0, m) of kernel `id`'s chunk; returns the run's number for `awaitDone`. */
  run(id: number, m: number): number {
    const gen = ++this.gen;
    Atomics.store(this.ctrl, RUN_KERNEL, id);
    Atomics.store(this.ctrl, RUN_ROWS, m);
    Atomics.store(this.ctrl, RUN_GEN, gen);
    Atomics.store(this.ctrl, REQ, gen);
    Atomics.notify(this.ctrl, REQ);
    return gen;
  }

  /** Wait for run `gen`; false past `timeoutMs`. A helper error is thrown (a bug, not load). */
  awaitDone(gen: number, timeoutMs: number): boolean {
    const start = performance.now();
    const deadline = start + timeoutMs;
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
      const error = this.error();
      this.stop();
      throw new Error(`rnn: forecast helper thread failed: ${error ?? 'unknown error'}`);
    }
    return true;
  }

  /** The helper's first error message, if it sent one. */
  error(): string | undefined {
    return (receiveMessageOnPort(this.port)?.message as { error?: string } | undefined)?.error;
  }

  /** One user less; the last one ends the thread. Resolves when it has exited (at once while others use it). */
  release(): Promise<void> {
    this.users--;
    if (this.users <= 0) this.stop();
    return this.users <= 0 ? this.exited : Promise.resolve();
  }

  /** End the thread now (last release, or it failed / did not answer): its kernels go on without it. */
  stop(): void {
    if (this.closed) return;
    this.closed = true;
    if (ForecastHelper.current === this) ForecastHelper.current = undefined;
    Atomics.store(this.ctrl, QUIT, 1);
    Atomics.store(this.ctrl, REQ, ++this.gen);
    Atomics.notify(this.ctrl, REQ);
    const port = this.port;
    this.exited = this.worker.terminate().then(
      () => port.close(),
      () => port.close(),
    );
  }

  /** The thread's id while it runs, else -1. */
  get threadId(): number {
    return this.worker.threadId;
  }
}

export interface ForecastThreadOptions {
  /** Chunks of fewer rows stay on the calling thread (a hand-off costs tens of microseconds; a one-row push ~15 us). Default 64. */
  minRows?: number;
  /** A batch `forecast` of fewer rows does not start the helper (starting it costs tens of ms of CPU); once started, every chunk of minRows uses it. Default 8192. */
  minBatchRows?: number;
  /** Longest wait for the helper's rows of a chunk; past it the kernel computes them itself and the helper is stopped. Default 10,000 ms. */
  timeoutMs?: number;
  /**
   * Compare (default true): the wall time per row of split chunks with that of chunks run on
   * the calling thread alone (one in PROBE_EVERY runs the other way) and use the faster. With
   * another process busy on the second core, the two threads share one core and splitting
   * only adds the hand-off and the helper's teacher-forced pass.
   */
  adaptive?: boolean;
}

/** What the split did so far (tests and benches). */
export interface ForecastThreadStats {
  /** Chunks split between the two threads. */
  splitChunks: number;
  /** Rows of those chunks the helper computed. */
  workerRows: number;
  /** Rows of those chunks the calling thread computed. */
  mainRows: number;
  /** Chunks the helper could have taken that ran on the calling thread alone because that was faster (adaptive). */
  aloneChunks: number;
}

let nextKernelId = 1;

/** Exponential smoothing of a cost (the first value as is). */
function smooth(previous: number, value: number): number {
  return Number.isNaN(previous) ? value : previous + 0.3 * (value - previous);
}

/**
 * A ForecastKernel whose chunks of at least `minRows` rows run on two threads: the forecast
 * helper thread (shared by all such kernels of this thread, see ForecastHelper) computes the
 * first m rows whole in its own instance of the module (the teacher-forced pass from the
 * chunk's start state, then their free-running steps), while the calling thread runs the
 * teacher-forced pass over all n rows (it needs the state after the last row) and the
 * free-running steps of rows [m, n). Rows are independent in the free-running steps and both
 * instances run the same code on the same inputs, so the numbers are those of
 * ForecastKernel bit for bit, whatever the split. m is chosen so that both finish together,
 * from the measured speed of each side (it adapts when a busy core slows one of them).
 *
 * The helper is used from the first push (`stepRows`) of minRows rows or batch `forecast`
 * of minBatchRows rows, or `start()`; it sets up its instance in the background and chunks
 * run on the calling thread until it is ready, so nothing ever waits for it to start.
 * `dispose()` lets it go (the last kernel ends the thread); the kernel stays usable on the
 * calling thread after that. Shared memory per kernel: one SharedArrayBuffer with the
 * parameters, a chunk's start state, the helper's input and output rows and its finish time
 * (the helper gets the views), and one with the kernel's control slots.
 */
export class ThreadedForecastKernel extends ForecastKernel {
  readonly stats: ForecastThreadStats = { splitChunks: 0, workerRows: 0, mainRows: 0, aloneChunks: 0 };
  private readonly id = nextKernelId++;
  private readonly minRows: number;
  private readonly minBatchRows: number;
  private readonly timeoutMs: number;
  private readonly adaptive: boolean;
  /** Wall ms per row of recent chunks run split and alone, smoothed (NaN: none yet). */
  private splitCost = Number.NaN;
  private aloneCost = Number.NaN;
  private sinceProbe = 0;
  private readonly kctrl = new Int32Array(new SharedArrayBuffer(2 * 4));
  private readonly shared: { params: Float32Array; state: Float32Array; input: Float32Array; out: Float32Array; finishedAt: Float64Array };
  private readonly module: WebAssembly.Module;
  private helper?: ForecastHelper;
  /** No (more) helper: disposed, or it failed. */
  private closed = false;
  /** Fraction of a chunk's rows the helper takes (first guess; then from the measured speeds, see rebalance). */
  private share = 0.5;
  private exited: Promise<void> = Promise.resolve();

  constructor(module: WebAssembly.Module, arch: Architecture, horizon: number, chunk = FORECAST_CHUNK, options: ForecastThreadOptions = {}) {
    super(new WebAssembly.Instance(module, {}), arch, horizon, chunk);
    this.module = module;
    this.minRows = Math.max(2, options.minRows ?? 64);
    this.minBatchRows = options.minBatchRows ?? 8192;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.adaptive = options.adaptive ?? true;
    const C = arch.channels;
    // One SharedArrayBuffer: params, state, input, out (float32), then the helper's finish time
    // (float64). The helper gets these views themselves (posted views of shared memory stay shared), so the layout is defined here only.
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
  }

  override load(params: Float32Array): void {
    super.load(params);
    // The helper reloads before this kernel's next run when the generation moved (it is idle now: hand-offs are synchronous).
    this.shared.params.set(params);
    Atomics.add(this.kctrl, K_PARAMS_GEN, 1);
  }

  override stepRows(values: Float32Array, rows: number, state: Float32Array, out: Float32Array): void {
    if (rows >= this.minRows) this.start();
    super.stepRows(values, rows, state, out);
  }

  override forecast(values: Float32Array, rows: number): Float32Array {
    if (rows >= this.minBatchRows) this.start();
    return super.forecast(values, rows);
  }

  /** Have the helper set up this kernel's instance (in the background; the thread starts if needed). Idempotent; nothing after dispose(). */
  start(): void {
    if (this.helper || this.closed) return;
    this.helper = ForecastHelper.acquire();
    const { arch, horizon, chunk } = this;
    this.helper.post({ op: 'add', id: this.id, module: this.module, arch: { ...arch }, cellCode: CELL_CODES[arch.cell], horizon, chunk, kernelControl: this.kctrl.buffer, shared: this.shared });
  }

  /** Whether the helper has this kernel's instance and takes rows of chunks of minRows rows now. */
  get threaded(): boolean {
    return this.helper !== undefined && !this.closed && !this.helper.closed && Atomics.load(this.kctrl, K_READY) === 1;
  }

  /** Resolves once the helper is set up for this kernel (true) or will not be (false: not started, failed, disposed, or not within timeoutMs). */
  async ready(): Promise<boolean> {
    const deadline = performance.now() + this.timeoutMs;
    while (this.helper && !this.closed && !this.helper.closed && Atomics.load(this.kctrl, K_READY) === 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return this.threaded;
  }

  protected override runChunk(values: Float32Array, n: number, dest: Float32Array, offset: number): void {
    const helper = this.helper;
    if (n < this.minRows || !helper || !this.helperReady(helper)) {
      super.runChunk(values, n, dest, offset);
      return;
    }
    const started = performance.now();
    if (!this.splitNext()) {
      super.runChunk(values, n, dest, offset);
      this.stats.aloneChunks++;
      this.aloneCost = smooth(this.aloneCost, (performance.now() - started) / n);
      return;
    }
    this.split(helper, values, n, dest, offset);
    this.splitCost = smooth(this.splitCost, (performance.now() - started) / n);
  }

  /** Split this chunk? The faster way so far, except every PROBE_EVERY-th chunk, which measures the other. */
  private splitNext(): boolean {
    if (!this.adaptive) return true;
    const split = !(this.aloneCost < this.splitCost); // until both are measured: split
    if (++this.sinceProbe < PROBE_EVERY) return split;
    this.sinceProbe = 0;
    return !split;
  }

  /** The chunk over both threads (see the class comment). */
  private split(helper: ForecastHelper, values: Float32Array, n: number, dest: Float32Array, offset: number): void {
    const C = this.arch.channels;
    const size = this.horizon * C;
    const m = Math.min(n - 1, Math.max(1, Math.round(n * this.share)));
    const { shared, views, x } = this;
    // The helper's rows [0, m), from the chunk's start state.
    shared.state.set(views.state);
    shared.input.set(values.subarray(0, m * C));
    const sentAt = performance.timeOrigin + performance.now();
    const gen = helper.run(this.id, m);
    // This thread: the teacher-forced pass over all rows (carries the state on), free-running rows [m, n).
    const t0 = performance.now();
    views.input.set(values);
    x.forecastTeacherPass(n);
    const t1 = performance.now();
    x.forecastFreeRows(m, n);
    const t2 = performance.now();
    dest.set(views.out.subarray(m * size, n * size), offset + m * size);
    if (!helper.awaitDone(gen, this.timeoutMs)) {
      // No answer in time (a starved or dead thread): the rows from this instance's own teacher pass, and no helper from now on.
      x.forecastFreeRows(0, m);
      dest.set(views.out.subarray(0, m * size), offset);
      helper.stop();
      void this.dispose();
      return;
    }
    dest.set(shared.out.subarray(0, m * size), offset);
    this.stats.splitChunks++;
    this.stats.workerRows += m;
    this.stats.mainRows += n - m;
    this.rebalance(n, m, t1 - t0, t2 - t1, shared.finishedAt[0]! - sentAt);
  }

  /** Set up for this kernel? Never waits: until it is, chunks run on this thread. A kernel the helper could not set up lets it go. */
  private helperReady(helper: ForecastHelper): boolean {
    if (this.closed || helper.closed) return false;
    const ready = Atomics.load(this.kctrl, K_READY);
    if (ready === -1) void this.dispose();
    return ready === 1;
  }

  /**
   * Next share from this chunk's speeds (ms per row): the helper's rows took it `helperMs`
   * from the hand-off (its wake-up included), this thread's cost it the teacher-forced pass
   * (every row) + the free-running steps (its rows). Both finish together when
   * m * helper = n * teacher + (n - m) * free.
   */
  private rebalance(n: number, m: number, teacherMs: number, freeMs: number, helperMs: number): void {
    const teacher = teacherMs / n;
    const free = freeMs / (n - m);
    const helper = helperMs / m;
    if (!(teacher > 0 && free > 0 && helper > 0)) return;
    const target = Math.min(0.95, Math.max(0.05, (teacher + free) / (helper + free)));
    this.share += 0.3 * (target - this.share);
  }

  /** Let the helper go (idempotent): the last kernel ends the thread; resolves when it has exited. The kernel goes on single-threaded. */
  dispose(): Promise<void> {
    if (this.closed) return this.exited;
    this.closed = true;
    const helper = this.helper;
    if (!helper) return this.exited;
    helper.post({ op: 'remove', id: this.id });
    this.exited = helper.release();
    return this.exited;
  }

  /** Thread id of the helper this kernel started or used, while that thread runs (tests: none once the last kernel is disposed). */
  get liveThreads(): number[] {
    const helper = this.helper;
    return helper && helper.threadId >= 0 ? [helper.threadId] : [];
  }
}
