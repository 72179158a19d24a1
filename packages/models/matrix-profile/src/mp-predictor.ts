import { AnomalabError, channelOf, EpochTrainedPredictor, type DirectScores, type EpochPlan, type PredictorState, type PredictorStream, type ScoreContext, type Series, type TrainData } from '@anomalab/core';
import type { MatrixProfileOptions } from './options.ts';
import { abJoinProfile, exclusionZone, selfJoinProfile } from './profile.ts';
import { rowScores, topDiscords, type Discord } from './rows.ts';
import { subsequences } from './subsequences.ts';
import { openTrainJoinStream } from './train-join-stream.ts';
import { estimateWindow } from './window.ts';

const FORMAT = 'matrix-profile/1';

/**
 * Matrix profile scoring. "Training" fixes the window m (given or estimated) and, for
 * `join: train`, keeps the train split as the reference set; the train split itself is
 * scored by a self-join with exclusion zone ceil(m/4) in both modes (an AB-join with
 * itself would be all zeros), which sets the deployable threshold.
 */
export class MatrixProfilePredictor extends EpochTrainedPredictor<Series> {
  private window = 0;
  private reference?: Series;
  /** The train split's scores, computed in train() (they are its loss) and reused by score(train). */
  private trainCache?: { values: Float32Array; scores: DirectScores };

  /**
   * Online scoring, `join: train` only: each new subsequence is compared with the train
   * subsequences as it arrives (./train-join-stream.ts). A self-join cannot stream: a row's
   * nearest neighbour may be a subsequence that has not arrived yet.
   */
  readonly openStream?: () => Promise<PredictorStream>;

  constructor(
    private readonly options: MatrixProfileOptions,
    private readonly channels: number,
  ) {
    super();
    if (options.join === 'train') {
      this.openStream = async () => {
        if (!this.reference) throw new Error('matrix-profile: openStream() before train() or setState()');
        return openTrainJoinStream(this.reference, this.window, this.options.row_score);
      };
    }
  }

  /** One step per epoch (the core's epoch loop): fix m, keep the reference set, score the train split. */
  protected planTraining(data: TrainData): EpochPlan<Series> {
    return {
      steps: () => [data.train],
      trainStep: (train) => {
        this.window = this.options.window > 0 ? this.options.window : estimateWindow(train);
        if (this.window > train.rows) throw new AnomalabError('ANOMALAB_CONFIG_INVALID', `matrix-profile: window ${this.window} is longer than the train split (${train.rows} rows)`);
        this.reference = this.options.join === 'train' ? train : undefined;
        const scores = this.scoreTrain(train);
        this.trainCache = { values: train.values, scores };
        const profiles = scores.details!.profileMean as number[];
        return profiles.reduce((s, v) => s + v, 0) / profiles.length;
      },
      trainReport: (mean) => ({ ...mean, window: this.window }),
      epochLine: ({ train, durationMs }) =>
        `matrix profile: m = ${this.window}${this.options.window > 0 ? '' : ' (estimated)'}, join ${this.options.join}, train self-join mean distance ${train.loss!.toFixed(4)} (${(durationMs / 1000).toFixed(2)}s)`,
    };
  }

  async score(series: Series, context: ScoreContext): Promise<DirectScores> {
    if (context.trainSplit) {
      if (this.trainCache?.values === series.values) return this.trainCache.scores;
      return this.scoreTrain(series);
    }
    if (this.options.join === 'train') {
      const reference = this.reference;
      if (!reference) throw new Error('matrix-profile: score() before train() or setState()');
      return this.scoreWith(series, (c, a) => abJoinProfile(a, subsequences(channelOf(reference, c), this.window)), 'nearest neighbour among the train subsequences');
    }
    return this.scoreWith(series, (_c, a) => selfJoinProfile(a), `self-join, exclusion zone ${exclusionZone(this.window)}`);
  }

  private scoreTrain(train: Series): DirectScores {
    return this.scoreWith(train, (_c, a) => selfJoinProfile(a), `self-join of the train split, exclusion zone ${exclusionZone(this.window)}`);
  }

  /** Profiles per channel -> row scores, joint score (mean of the channels) and discords. */
  private scoreWith(series: Series, profileOf: (channel: number, a: ReturnType<typeof subsequences>) => Float64Array, neighbours: string): DirectScores {
    const m = this.window;
    const channels: Float32Array[] = [];
    const discords: Discord[][] = [];
    const profileMean: number[] = [];
    for (let c = 0; c < series.channels; c++) {
      if (series.rows < m) {
        channels.push(new Float32Array(series.rows));
        discords.push([]);
        profileMean.push(0);
        continue;
      }
      const profile = profileOf(c, subsequences(channelOf(series, c), m));
      channels.push(rowScores(profile, m, series.rows, this.options.row_score));
      discords.push(topDiscords(profile, m, this.options.discords));
      profileMean.push(profile.reduce((s, v) => s + v, 0) / profile.length);
    }
    const joint = new Float32Array(series.rows);
    for (let t = 0; t < series.rows; t++) {
      let s = 0;
      for (const ch of channels) s += ch[t]!;
      joint[t] = s / channels.length;
    }
    const notes = series.rows < m ? [`the series has ${series.rows} rows, fewer than the window m = ${m}: every score is 0`] : [];
    return {
      channels,
      // One channel: its scores are the joint score already (as the Gaussian detector, no separate joint).
      ...(channels.length > 1 ? { joint } : {}),
      firstValid: 0,
      details: { window: m, join: this.options.join, neighbours, rowScore: this.options.row_score, joint: channels.length > 1 ? 'mean of the channel scores' : 'none (one channel)', discords, profileMean, ...(notes.length ? { notes } : {}) },
    };
  }

  protected async readState(): Promise<PredictorState> {
    const tensors: PredictorState['tensors'] = this.reference ? { reference: { shape: [this.reference.rows, this.reference.channels], data: this.reference.values } } : {};
    return { format: FORMAT, tensors, json: { window: this.window, channels: this.channels, join: this.options.join } };
  }

  protected async writeState(state: PredictorState): Promise<void> {
    if (state.format !== FORMAT) throw new AnomalabError('ANOMALAB_CHECKPOINT_INVALID', `matrix-profile: not a matrix-profile checkpoint (format ${state.format}, expected ${FORMAT})`);
    this.window = Number(state.json.window);
    const reference = state.tensors.reference;
    this.reference = reference ? { rows: reference.shape[0]!, channels: reference.shape[1]!, values: reference.data } : undefined;
    if (this.options.join === 'train' && !this.reference) throw new AnomalabError('ANOMALAB_CHECKPOINT_INVALID', 'matrix-profile: the checkpoint has no train subsequences (was it made with join: self?)');
    this.trainCache = undefined;
  }

  describe() {
    return { engine: 'wasm-simd', parameters: this.reference ? this.reference.rows * this.reference.channels : 0 };
  }

  dispose(): void {}
}
