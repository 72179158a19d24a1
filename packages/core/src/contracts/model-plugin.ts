import type { JSONSchema } from '../config/json-schema.ts';
import type { PredictorState } from './checkpoint-store.ts';
import type { Series } from './series.ts';
import type { PluginServices } from './services.ts';
import type { ErrorSeries } from './detector.ts';
import type { PredictorStream, PredictorStreamOptions } from './stream.ts';

/** Core training settings (`training:` in the experiment); models may change the defaults. */
export interface TrainingConfig {
  epochs: number;
  /** Write the `last` checkpoint every this many epochs (and at the end). */
  save_interval: number;
}

export interface TrainData {
  /** Standardised train split. */
  train: Series;
  /**
   * Standardised validation series (the test split, as in the reference) or undefined.
   * Labels are never passed to models.
   */
  validation?: Series;
}

/** One epoch's numbers. Loss terms are named by the model (e.g. `free_running`). */
export interface EpochReport {
  /** 1-based epoch number. */
  epoch: number;
  /** Training loss terms averaged over the epoch; must include `loss` (the total). */
  train: Record<string, number>;
  /** Validation loss terms; include `loss` when present (used to pick the best checkpoint). */
  validation?: Record<string, number>;
  durationMs: number;
}

export interface TrainContext {
  training: TrainingConfig;
  services: PluginServices;
  /** Aborted on SIGINT/SIGTERM or cancel: stop after the current window and return. */
  signal: AbortSignal;
  /** Epochs already completed (non-zero when resuming from a checkpoint). */
  startEpoch: number;
  /**
   * Call after every epoch. The core logs it, writes metrics.jsonl and checkpoints
   * (it calls `getState()` from inside this call), so await it before continuing.
   */
  onEpochEnd(report: EpochReport): Promise<void>;
}

export interface TrainResult {
  /** Completed epochs after this call (including resumed ones). */
  epochs: number;
  /** True when the signal stopped training early. */
  interrupted: boolean;
}

/**
 * Multi-step predictions: `values[(t * horizon + (k - 1)) * channels + c]` is the
 * prediction of row t + k made at row t (k = 1..horizon), for every row t of the input.
 */
export interface Forecast {
  rows: number;
  channels: number;
  horizon: number;
  values: Float32Array;
}

/**
 * Anomaly scores a model computes itself (higher = more anomalous), one per row: the
 * pipeline evaluates them directly, without an error model (detector).
 */
export interface DirectScores {
  /** One array of `rows` scores per channel (finite, never NaN). */
  channels: Float32Array[];
  /** One score per row over all channels together, when the model computes one. */
  joint?: Float32Array;
  /** Rows before this one have no score (give them 0); evaluation leaves them out. */
  firstValid: number;
  /** JSON facts stored in results.json under `model` (e.g. the top discords per channel). */
  details?: Record<string, unknown>;
}

export interface ScoreContext {
  /**
   * True when `series` is the standardised train split the model was trained on. These
   * scores set the deployable threshold, so a model must not score the train split by
   * matching it against itself (e.g. a nearest-neighbour model self-joins it with an
   * exclusion zone). No labels are ever passed.
   */
  trainSplit: boolean;
}

/**
 * A model instance for a fixed number of channels. Implement one of: `forecast`
 * (prediction models: the core derives error vectors from it), `errors` (models that
 * produce their own error vectors, e.g. reconstruction models) — both go through the
 * detector — or `score` (models that score rows themselves, e.g. discord models: the
 * detector stage is skipped).
 */
export interface Predictor {
  /** Train (or continue training after `setState`). Not called for untrainable models' pretrained runs. */
  train(data: TrainData, context: TrainContext): Promise<TrainResult>;
  forecast?(series: Series, horizon: number): Promise<Forecast>;
  /** Error vectors per row and channel; see `ErrorSeries`. */
  errors?(series: Series, window: number): Promise<ErrorSeries>;
  /** Per-row anomaly scores of a split; see `DirectScores`. Takes precedence over forecast/errors. */
  score?(series: Series, context: ScoreContext): Promise<DirectScores>;
  /**
   * Incremental scoring (optional; see `PredictorStream`): a stream starting from the same
   * state as a batch `forecast`/`score` call on a new split. Models without it cannot stream.
   */
  openStream?(options: PredictorStreamOptions): Promise<PredictorStream>;
  /** Complete state: weights, optimizer state, step counters. */
  getState(): Promise<PredictorState>;
  setState(state: PredictorState): Promise<void>;
  /** Compute engine and size, stored with the run (e.g. `{ engine: 'tfjs-wasm', parameters: 12345 }`). */
  describe(): { engine: string; parameters?: number };
  dispose(): void;
}

export interface ModelCreateRequest<Options = Record<string, unknown>> {
  channels: number;
  /** `model.options` validated against `optionsSchema`, defaults applied. */
  options: Options;
  training: TrainingConfig;
  seed: number;
  services: PluginServices;
}

/**
 * A model family. Plugins must be cheap to import: load tfjs or other heavy code inside
 * `create()` (dynamic import).
 */
export interface ModelPlugin<Options = Record<string, unknown>> {
  readonly kind: 'model';
  /** Registry name, used as `model.name`. */
  readonly name: string;
  readonly description: string;
  /** Paper or source the family follows. */
  readonly reference?: string;
  /** JSON Schema of `model.options`, every field with a default and a description. */
  readonly optionsSchema: JSONSchema;
  /** Overrides of the core's `training:` defaults (e.g. `{ epochs: 400 }`). */
  readonly trainingDefaults?: Partial<TrainingConfig>;
  /**
   * Scoring in a browser page (optional; the run page's "score a local file"): `entry` is a
   * browser-safe ES module (absolute path; the results server bundles it, mapping
   * `@anomalab/core` to `@anomalab/core/browser`) exporting `openBrowserStream`
   * (`OpenBrowserStream`); `assets` are files it fetches (name -> absolute path), served at
   * `/api/models/<name>/assets/<asset>`.
   */
  readonly browser?: { entry: string; assets?: Record<string, string> };
  readonly capabilities?: {
    /** Only single-channel series. The pipeline refuses others with a clear error. */
    univariateOnly?: boolean;
  };
  create(request: ModelCreateRequest<Options>): Promise<Predictor>;
}
