// The fused engine's forecast and streaming path. Browser-safe: no Node APIs and no value
// imports outside this file; the compiled module comes from the caller (Node: fusedModule()
// in ./kernel.ts; a page: WebAssembly.compileStreaming(fetch(<url of assembly/build/fused.wasm>))).
import type { PredictorStream, PredictorStreamStep } from '@anomalab/core';
import type { CellType } from '../config.ts';
import type { Architecture } from '../rnn-model.ts';
import type { instantiate } from '../../assembly/build/fused.js';

/**
 * The module's exports, typed from the typings that asc generates with the build
 * (assembly/build/fused.d.ts, checked with the binary by ./wasm-build.test.ts). Used on the
 * raw instance: booleans pass as 1 / 0 and addresses stay below 2 GiB.
 */
export type FusedExports = Awaited<ReturnType<typeof instantiate>>;

/** The kernel's cell codes (assembly/layout.ts). */
export const CELL_CODES: Record<CellType, number> = { LSTM: 0, GRU: 1, RNN_TANH: 2, RNN_RELU: 3 };

/** Rows per forecast chunk (as ../forecast.ts). */
export const FORECAST_CHUNK = 2048;

/**
 * One instance of the fused module set up for forecasting an architecture with a fixed
 * horizon: the batched forecast of a whole series (`forecast`) and any number of streams
 * (`openStream`), which share the instance and keep only their own recurrent state. All
 * buffers are allocated by the constructor; a row costs no allocation in the instance.
 */
export class ForecastKernel {
  /** Instantiate `module` (compiled fused.wasm) asynchronously, as browsers require on the main thread for modules over 4 KB. */
  static async instantiate(module: WebAssembly.Module, arch: Architecture, horizon: number, chunk = FORECAST_CHUNK): Promise<ForecastKernel> {
    return new ForecastKernel(await WebAssembly.instantiate(module, {}), arch, horizon, chunk);
  }

  /** Number of parameters (the length `load` expects). */
  readonly size: number;
  /** Floats of the recurrent state: per layer [h; c], each [H] (c unused except for LSTM). */
  readonly stateLength: number;
  /** The instance's exports and views (./forecast-threads.ts splits a chunk's rows with a second instance). */
  protected readonly x: FusedExports;
  private readonly outPtr: number;
  protected views!: { input: Float32Array; state: Float32Array; out: Float32Array };

  constructor(
    instance: WebAssembly.Instance,
    readonly arch: Architecture,
    readonly horizon: number,
    readonly chunk = FORECAST_CHUNK,
  ) {
    if (!Number.isInteger(horizon) || horizon < 1) throw new Error(`rnn: forecast horizon must be an integer >= 1, got ${horizon}`);
    this.x = instance.exports as unknown as FusedExports;
    // One lane, one step: the training buffers this instance never uses stay minimal.
    this.size = this.x.init(arch.channels, arch.embedding, arch.hidden, arch.layers, CELL_CODES[arch.cell], arch.residual, 1, 1);
    this.outPtr = this.x.forecastInit(chunk, horizon);
    this.stateLength = arch.layers * 2 * arch.hidden;
    this.makeViews();
  }

  /** Views into the instance memory; made once (the memory only grows while buffers are allocated, i.e. in the constructor). */
  private makeViews(): void {
    const { buffer } = this.x.memory;
    const C = this.arch.channels;
    this.views = {
      input: new Float32Array(buffer, this.x.forecastInputPtr(), this.chunk * C),
      state: new Float32Array(buffer, this.x.forecastStatePtr(), this.stateLength),
      out: new Float32Array(buffer, this.outPtr, this.chunk * this.horizon * C),
    };
  }

  /** Size of the instance's linear memory. */
  get memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }

  /** Set the parameters (flat vector in parameterLayout() order of ../rnn-model.ts; copied). */
  load(params: Float32Array): void {
    if (params.length !== this.size) throw new Error(`rnn: ${params.length} parameters given, the architecture has ${this.size}`);
    new Float32Array(this.x.memory.buffer, this.x.paramsPtr(), this.size).set(params);
    this.x.prepare();
  }

  /**
   * Batched multi-step forecast (reference section 5) from the zero state, same layout and
   * numbers as forecastBatched (../forecast.ts): per chunk of rows, a teacher-forced pass
   * then horizon - 1 free-running steps for all rows at once.
   */
  forecast(values: Float32Array, rows: number): Float32Array {
    const C = this.arch.channels;
    const W = this.horizon;
    const result = new Float32Array(rows * W * C);
    this.x.forecastResetState();
    for (let t0 = 0; t0 < rows; t0 += this.chunk) {
      const n = Math.min(this.chunk, rows - t0);
      this.runChunk(values.subarray(t0 * C, (t0 + n) * C), n, result, t0 * W * C);
    }
    return result;
  }

  /**
   * One row from `state` (advanced in place): the teacher-forced step and horizon - 1
   * free-running steps; the predictions for the next `horizon` rows go to `forecast`
   * ([horizon, C]). What `forecast` computes for the same row after the same earlier rows.
   */
  step(row: Float32Array, state: Float32Array, forecast: Float32Array): void {
    this.stepRows(row, 1, state, forecast);
  }

  /**
   * `rows` rows from `state` (advanced in place) in chunks: the teacher-forced steps row by
   * row, then the free-running steps of all rows of a chunk together, as `forecast` does;
   * `out` gets [rows, horizon, C]. The same numbers as `rows` calls of `step`.
   */
  stepRows(values: Float32Array, rows: number, state: Float32Array, out: Float32Array): void {
    const C = this.arch.channels;
    const W = this.horizon;
    const views = this.views;
    views.state.set(state);
    for (let t0 = 0; t0 < rows; t0 += this.chunk) {
      const n = Math.min(this.chunk, rows - t0);
      this.runChunk(values.subarray(t0 * C, (t0 + n) * C), n, out, t0 * W * C);
    }
    state.set(views.state);
  }

  /**
   * One chunk: `n` <= chunk rows (`values`, [n, C]) from the instance's current state, which
   * is carried on; the [n, horizon, C] forecast goes to `dest` at `offset`. (Node: the
   * subclass in ./forecast-threads.ts splits the rows with a helper thread.)
   */
  protected runChunk(values: Float32Array, n: number, dest: Float32Array, offset: number): void {
    this.views.input.set(values);
    this.x.forecastChunk(n);
    dest.set(this.views.out.subarray(0, n * this.horizon * this.arch.channels), offset);
  }

  /** A stream from the zero state (a batch forecast's start). `beforePush` runs first on every push (the engine checks the weights there). */
  openStream(beforePush?: () => void): PredictorStream {
    return new FusedForecastStream(this, beforePush);
  }
}

/** A stream over a shared ForecastKernel: holds its recurrent state (a few hundred floats) between rows. */
class FusedForecastStream implements PredictorStream {
  private readonly state: Float32Array;
  private disposed = false;

  constructor(
    private readonly kernel: ForecastKernel,
    private readonly beforePush?: () => void,
  ) {
    this.state = new Float32Array(kernel.stateLength);
  }

  push(row: Float32Array): PredictorStreamStep {
    if (this.disposed) throw new Error('rnn: push on a disposed stream');
    const C = this.kernel.arch.channels;
    if (row.length !== C) throw new Error(`rnn: a row has ${C} value(s) (channels), got ${row.length}`);
    this.beforePush?.();
    // Owned by the caller (the session keeps the last W of them).
    const forecast = new Float32Array(this.kernel.horizon * C);
    this.kernel.step(row, this.state, forecast);
    return { forecast };
  }

  pushRows(rows: Float32Array, count: number): PredictorStreamStep[] {
    if (this.disposed) throw new Error('rnn: push on a disposed stream');
    const { arch, horizon } = this.kernel;
    const C = arch.channels;
    if (rows.length !== count * C) throw new Error(`rnn: ${count} row(s) of ${C} value(s) expected, got ${rows.length} value(s)`);
    this.beforePush?.();
    const out = new Float32Array(count * horizon * C);
    this.kernel.stepRows(rows, count, this.state, out);
    const size = horizon * C;
    return Array.from({ length: count }, (_, i) => ({ forecast: out.subarray(i * size, (i + 1) * size) }));
  }

  dispose(): void {
    this.disposed = true;
  }
}
