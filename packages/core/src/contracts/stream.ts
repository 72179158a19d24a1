/**
 * Incremental (online) scoring: a trained predictor turns rows into outputs one at a time,
 * with the same numbers as its batch path on a fresh split (same start state).
 *
 * A model declares streaming by implementing `Predictor.openStream`. Prediction models
 * return the forecast made at each row; the core's stream session derives error vectors
 * and detector scores from those exactly as the batch pipeline does. Direct-score models
 * return finalised row scores, possibly for earlier rows (a discord model can only settle
 * row t once every subsequence covering t has arrived) and the rest at `finish()`.
 *
 * Everything here is plain data with no Node APIs, so the same session code can run in a
 * browser page.
 */
import type { PredictorState } from './checkpoint-store.ts';

/** What a model's stream hands back for one pushed row (or at `finish()`). */
export interface PredictorStreamStep {
  /**
   * Prediction models: the predictions made at this row for the next `horizon` rows,
   * `values[(k - 1) * channels + c]` = prediction of row t + k (k = 1..horizon), i.e. one
   * row of `Forecast.values`.
   */
  forecast?: Float32Array;
  /** Direct-score models: rows whose scores are final now, in increasing row order. */
  scored?: StreamRowScores[];
}

/** Final direct scores of one row (row numbers count pushed rows from 0). */
export interface StreamRowScores {
  row: number;
  /** One score per channel. */
  channels: number[];
  /** The joint score, when the model computes one. */
  joint?: number;
}

export interface PredictorStreamOptions {
  /** Prediction models: the forecast horizon the run scored with (its error window W). */
  horizon: number;
}

/**
 * One open stream over a predictor. Not thread-safe; one stream per session. Pushing
 * rows r0, r1, ... gives the same outputs as the batch path on the series r0, r1, ...
 */
export interface PredictorStream {
  /** One standardised row (length = channels). */
  push(row: Float32Array): PredictorStreamStep;
  /**
   * Optional: `count` standardised rows at once (row-major, `count x channels`), giving the
   * steps `count` calls of `push` would give. For models that can batch part of the work
   * (the rnn runs the free-running steps of all rows together); others leave it out.
   */
  pushRows?(rows: Float32Array, count: number): PredictorStreamStep[];
  /** End of input: direct-score models settle the rows still open. Optional for others. */
  finish?(): PredictorStreamStep;
  /** Releases buffers or kernel instances; the stream cannot be used afterwards. */
  dispose(): void;
}

/**
 * What a model's browser module (`ModelPlugin.browser.entry`) receives to open a stream in a
 * page: the run's model options and checkpoint state, and where its assets are served.
 */
export interface BrowserStreamInput {
  /** The run's `model.options` (as stored in its config.json). */
  options: Record<string, unknown>;
  channels: number;
  /** The run's error window W (the forecast horizon for prediction models). */
  horizon: number;
  /** The checkpoint state that scored in the run (`Predictor.getState()` format). */
  state: PredictorState;
  /** URL of one of the plugin's `browser.assets` (e.g. its compiled WebAssembly). */
  assetUrl(name: string): string;
}

/** The export of a model's browser module. */
export type OpenBrowserStream = (input: BrowserStreamInput) => Promise<PredictorStream>;
