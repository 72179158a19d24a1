// Browser-safe: no Node APIs here or in anything imported (a page bundles this with the rnn kernel).
import { AnomalabError } from '../errors.ts';
import type { Detector, ErrorSeries } from '../contracts/detector.ts';
import type { PredictorStream, PredictorStreamStep, StreamRowScores } from '../contracts/stream.ts';
import { writeErrorVectors, type ForecastRows } from '../detection/forecast-errors.ts';
import { standardizeRow, type ChannelStats } from '../pipeline/standardize.ts';

/** The scores of one pushed row. */
export interface StreamScore {
  /** Row number: pushed rows counted from 0. */
  row: number;
  /** One score per channel (as the batch path's float32), null before the first scorable row. */
  scores: (number | null)[];
  /** The joint score, null when the run has none or the row is not scorable. */
  joint: number | null;
  /** The joint score's alarm when the run has a joint score and threshold, else any channel's. */
  alarm: boolean;
  /** Per channel: score > that channel's deployable threshold. */
  alarms: boolean[];
}

export interface StreamThresholds {
  channels: (number | null)[];
  joint: number | null;
}

export interface StreamSessionOptions {
  /** The model's stream (from `Predictor.openStream`), opened with `horizon: window`. */
  stream: PredictorStream;
  /** The run's fitted detector; required for prediction models, absent for direct-score models. */
  detector?: Detector;
  /** The run's train-split statistics: pushed rows are standardised with them. */
  standardization: ChannelStats;
  /** The run's error window W. */
  window: number;
  /** The run's deployable thresholds. */
  thresholds: StreamThresholds;
  channelNames: string[];
  /** Whether the run reports a joint score. */
  hasJoint: boolean;
  /** The model's name, for error messages. */
  model: string;
}

interface RowScores {
  channels: number[];
  joint?: number;
}

/** Prediction models: the last W forecast rows and the detector that scores the error vectors. */
class ForecastScorer {
  private ring?: Float32Array;
  private rowLength = 0;
  private readonly forecasts: ForecastRows;
  private readonly vectors: Float32Array;
  /** `vectors` as a one-row ErrorSeries for `Detector.score`. */
  private readonly errors: ErrorSeries;

  constructor(
    private readonly detector: Detector,
    private readonly channels: number,
    private readonly window: number,
    private readonly model: string,
  ) {
    this.vectors = new Float32Array(channels * window);
    this.errors = { rows: 1, channels, dim: window, firstValid: 0, values: this.vectors };
    this.forecasts = { values: new Float32Array(0), start: (r) => (r % window) * this.rowLength };
  }

  /** Scores of row t (standardised `row`) from the earlier forecasts, then keeps t's forecast. */
  push(t: number, row: Float32Array, forecast: Float32Array): RowScores | undefined {
    if (!this.ring) this.allocate(forecast.length);
    if (forecast.length !== this.rowLength) throw this.invalid(`row ${t}: forecast of ${forecast.length} values, earlier rows had ${this.rowLength}`);
    let scores: RowScores | undefined;
    if (t >= this.window) {
      writeErrorVectors(this.forecasts, t, this.channels, this.window, row, 0, this.vectors, 0);
      scores = this.score();
    }
    // Row t's slot held row t - W's forecast, the oldest one row t needed.
    this.ring!.set(forecast, (t % this.window) * this.rowLength);
    return scores;
  }

  private allocate(length: number): void {
    const { channels, window } = this;
    if (length % channels !== 0 || length / channels < window) throw this.invalid(`forecast of ${length} values: expected horizon x channels with horizon >= W = ${window} (${channels} channel(s))`);
    this.rowLength = length;
    this.ring = new Float32Array(window * length);
    this.forecasts.values = this.ring;
  }

  /** The detector's scores of the one-row error series (the batch path's arithmetic, row by row). */
  private score(): RowScores {
    const scored = this.detector.score(this.errors);
    return { channels: scored.channels.map((s) => s[0]!), joint: scored.joint?.[0] };
  }

  private invalid(what: string): AnomalabError {
    return new AnomalabError('ANOMALAB_PLUGIN_INVALID', `model "${this.model}" stream: ${what}`);
  }
}

/**
 * One online scoring session over a trained run: push raw rows, get their scores and
 * alarms, with the numbers the batch path gives the same rows from the same start state
 * (standardised with the run's train statistics, error vectors as in forecast-errors.ts,
 * the run's detector and deployable thresholds). Every row gets exactly one StreamScore,
 * in row order: prediction models return it from its `push`, direct-score models when the
 * model settles it (a discord model after the rows that close its subsequences) or at
 * `finish()`.
 */
export class StreamSession {
  readonly channelNames: string[];
  readonly thresholds: StreamThresholds;
  readonly hasJoint: boolean;
  private pushed = 0;
  /** Next row to hand out (direct-score models may settle rows later). */
  private nextRow = 0;
  private finished = false;
  private disposed = false;
  private readonly stats: ChannelStats;
  private readonly raw: Float32Array;
  private readonly standardised: Float32Array;
  private readonly forecastScorer?: ForecastScorer;

  constructor(private readonly options: StreamSessionOptions) {
    const C = options.channelNames.length;
    if (options.standardization.mean.length !== C || options.thresholds.channels.length !== C) {
      throw new AnomalabError('ANOMALAB_INTERNAL', `stream session: ${C} channel name(s), statistics of ${options.standardization.mean.length} and ${options.thresholds.channels.length} threshold(s)`);
    }
    this.channelNames = [...options.channelNames];
    this.thresholds = { channels: [...options.thresholds.channels], joint: options.thresholds.joint };
    this.hasJoint = options.hasJoint;
    this.stats = options.standardization;
    this.raw = new Float32Array(C);
    this.standardised = new Float32Array(C);
    if (options.detector) this.forecastScorer = new ForecastScorer(options.detector, C, options.window, options.model);
  }

  /** Rows pushed so far. */
  get rowsPushed(): number {
    return this.pushed;
  }

  /**
   * One raw (unstandardised) row, one value per channel in `channelNames` order. Returns
   * the rows scored by it: this row for prediction models (null scores for the first W
   * rows), zero or more earlier rows for direct-score models.
   */
  push(row: ArrayLike<number>): StreamScore[] {
    this.assertOpen();
    this.validate(row);
    const t = this.pushed;
    // Through float32 first, as a loaded split's values are, then the batch path's standardisation.
    for (let c = 0; c < row.length; c++) this.raw[c] = row[c]!;
    standardizeRow(this.raw, 0, this.stats, this.standardised, 0);
    const step = this.options.stream.push(this.standardised);
    this.pushed++;
    if (this.forecastScorer) return [this.scoreForecast(this.forecastScorer, t, this.standardised, step)];
    return this.settle(step, t + 1);
  }

  /**
   * Several raw rows at once: the scores of pushing them one by one, faster when the model's
   * stream batches (`PredictorStream.pushRows`). Every row is checked before any is pushed,
   * so a refused batch leaves the session as it was.
   */
  pushRows(rows: ArrayLike<ArrayLike<number>>): StreamScore[] {
    this.assertOpen();
    for (let i = 0; i < rows.length; i++) this.validate(rows[i]!, this.pushed + i);
    const { stream } = this.options;
    const scorer = this.forecastScorer;
    if (!stream.pushRows || !scorer || rows.length < 2) return Array.from(rows).flatMap((row) => this.push(row));
    const n = rows.length;
    const C = this.channelNames.length;
    const standardised = new Float32Array(n * C);
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      for (let c = 0; c < C; c++) this.raw[c] = row[c]!;
      standardizeRow(this.raw, 0, this.stats, standardised, i * C);
    }
    const steps = stream.pushRows(standardised, n);
    if (steps.length !== n) throw this.invalid(`pushRows() of ${n} rows returned ${steps.length} step(s)`);
    const out: StreamScore[] = [];
    for (let i = 0; i < n; i++) {
      const t = this.pushed++;
      out.push(this.scoreForecast(scorer, t, standardised.subarray(i * C, (i + 1) * C), steps[i]!));
    }
    return out;
  }

  /** Row t of a prediction model: its error vector scored by the detector (null scores for t < W). */
  private scoreForecast(scorer: ForecastScorer, t: number, row: Float32Array, step: PredictorStreamStep): StreamScore {
    if (!step.forecast) throw this.invalid(`push() of row ${t} returned no forecast (a model scored through a detector must)`);
    const scores = scorer.push(t, row, step.forecast);
    this.nextRow = t + 1;
    return scores ? this.scoreOf(t, scores.channels, scores.joint) : this.unscored(t);
  }

  /** End of input: the rows still open (direct-score models), each with its final score. */
  finish(): StreamScore[] {
    this.assertOpen();
    this.finished = true;
    const step = this.options.stream.finish?.() ?? {};
    if (this.forecastScorer) return [];
    return [...this.settle(step, this.pushed), ...this.unscoredUntil(this.pushed)];
  }

  /** Releases the model's stream (idempotent). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.options.stream.dispose();
  }

  private assertOpen(): void {
    if (this.disposed) throw new AnomalabError('ANOMALAB_USAGE', 'stream session is closed');
    if (this.finished) throw new AnomalabError('ANOMALAB_USAGE', 'stream session is finished: no more rows can be pushed');
  }

  private validate(row: ArrayLike<number>, t = this.pushed): void {
    const names = this.channelNames;
    if (row === null || typeof row !== 'object' || typeof row.length !== 'number') {
      throw new AnomalabError('ANOMALAB_DATA_INVALID', `row ${t}: expected an array of ${names.length} number(s) (${names.join(', ')}), got ${row === null ? 'null' : typeof row}`);
    }
    if (row.length !== names.length) {
      throw new AnomalabError('ANOMALAB_DATA_INVALID', `row ${t}: expected ${names.length} value(s) (${names.join(', ')}), got ${row.length}`);
    }
    for (let c = 0; c < names.length; c++) {
      const v = row[c];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new AnomalabError('ANOMALAB_DATA_INVALID', `row ${t}, channel ${names[c]}: expected a finite number, got ${typeof v === 'number' ? String(v) : JSON.stringify(v) ?? typeof v}`);
      }
      if (!Number.isFinite(Math.fround(v))) throw new AnomalabError('ANOMALAB_DATA_INVALID', `row ${t}, channel ${names[c]}: ${v} is outside the float32 range the models compute in`);
    }
  }

  /** StreamScores for the rows a direct-score model settled, after any rows it left unscored. */
  private settle(step: PredictorStreamStep, limit: number): StreamScore[] {
    const out: StreamScore[] = [];
    for (const settled of step.scored ?? []) {
      this.checkSettled(settled, limit);
      out.push(...this.unscoredUntil(settled.row));
      out.push(this.scoreOf(settled.row, settled.channels, settled.joint));
      this.nextRow = settled.row + 1;
    }
    return out;
  }

  private checkSettled(settled: StreamRowScores, limit: number): void {
    if (!Number.isInteger(settled.row) || settled.row < this.nextRow || settled.row >= limit) {
      throw this.invalid(`settled row ${settled.row}: expected a row in ${this.nextRow}..${limit - 1}, in increasing order`);
    }
    if (settled.channels.length !== this.channelNames.length) throw this.invalid(`row ${settled.row}: ${settled.channels.length} score(s) for ${this.channelNames.length} channel(s)`);
    for (const v of [...settled.channels, ...(settled.joint === undefined ? [] : [settled.joint])]) {
      if (!Number.isFinite(v)) throw this.invalid(`row ${settled.row}: score ${v}`);
    }
  }

  private unscoredUntil(row: number): StreamScore[] {
    const out: StreamScore[] = [];
    for (; this.nextRow < row; this.nextRow++) out.push(this.unscored(this.nextRow));
    return out;
  }

  private unscored(row: number): StreamScore {
    const C = this.channelNames.length;
    return { row, scores: new Array<null>(C).fill(null), joint: null, alarm: false, alarms: new Array<boolean>(C).fill(false) };
  }

  /** Scores rounded to float32 (the batch path stores Float32Arrays) and compared with the thresholds. */
  private scoreOf(row: number, channels: ArrayLike<number>, joint: number | undefined): StreamScore {
    const { thresholds } = this;
    const scores: number[] = [];
    const alarms: boolean[] = [];
    for (let c = 0; c < this.channelNames.length; c++) {
      const s = Math.fround(channels[c]!);
      scores.push(s);
      const threshold = thresholds.channels[c];
      alarms.push(threshold !== null && threshold !== undefined && s > threshold);
    }
    const jointScore = joint === undefined ? null : Math.fround(joint);
    const alarm = jointScore !== null && thresholds.joint !== null ? jointScore > thresholds.joint : alarms.some(Boolean);
    return { row, scores, joint: jointScore, alarm, alarms };
  }

  private invalid(what: string): AnomalabError {
    return new AnomalabError('ANOMALAB_PLUGIN_INVALID', `model "${this.options.model}" stream: ${what}`);
  }
}
