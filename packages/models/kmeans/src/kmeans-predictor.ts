import { AnomalabError, channelOf, EpochTrainedPredictor, SeededRandom, type DirectScores, type EpochPlan, type PredictorState, type PredictorStream, type ScoreContext, type Series, type TrainData } from '@anomalab/core';
import { estimateWindow, openSubsequenceStream, rowScores, topDiscords, type SubsequenceScorer } from '@anomalab/model-matrix-profile';
import { assign, kmeans, Windows } from './kmeans.ts';
import type { KMeansOptions } from './options.ts';

const FORMAT = 'kmeans/1';

/**
 * KMeansAD (as in TSB-AD, after TimeEval): per channel, k-means on the train split's
 * length-m subsequences (raw values of the standardised series, stride 1); a
 * subsequence's score is its Euclidean distance to the nearest centroid, spread to rows
 * like matrix-profile; the joint score is the mean of the channel scores. The train split
 * is scored the same way (in-sample: its distances to the centroids fitted on it), which
 * sets the deployable threshold.
 */
export class KMeansPredictor extends EpochTrainedPredictor<Series> {
  private window = 0;
  /** Per channel: k x m centroids, row-major. */
  private centroids: Float64Array[] = [];
  private facts: { iterations: number; inertia: number }[] = [];

  constructor(
    private readonly options: KMeansOptions,
    private readonly channels: number,
    private readonly seed: number,
  ) {
    super();
  }

  /** One step per epoch (the core's epoch loop): fit k-means on the train split. */
  protected planTraining(data: TrainData): EpochPlan<Series> {
    return {
      steps: () => [data.train],
      trainStep: (train) => {
        this.fit(train);
        return this.facts.reduce((s, f) => s + f.inertia, 0) / this.facts.length;
      },
      trainReport: (mean) => ({ ...mean, window: this.window }),
      epochLine: ({ train, durationMs }) =>
        `k-means: k = ${this.options.clusters}, m = ${this.window}${this.options.window > 0 ? '' : ' (estimated)'}, iterations ${this.facts.map((f) => f.iterations).join(', ')}, mean squared distance ${train.loss!.toFixed(4)} (${(durationMs / 1000).toFixed(2)}s)`,
    };
  }

  /** Every epoch fits from scratch with the same seed: the result depends on seed and data only. */
  private fit(train: Series): void {
    this.window = this.options.window > 0 ? this.options.window : estimateWindow(train);
    this.centroids = [];
    this.facts = [];
    for (let c = 0; c < train.channels; c++) {
      const random = new SeededRandom(this.seed).fork(`kmeans-channel-${c}`);
      const result = kmeans(new Windows(Float64Array.from(channelOf(train, c)), this.window), this.options.clusters, random, this.options.max_iterations, this.options.tolerance);
      // Rounded to float32 here, as checkpoints store them: a restored model scores identically.
      this.centroids.push(Float64Array.from(Float32Array.from(result.centroids)));
      this.facts.push({ iterations: result.iterations, inertia: result.inertia });
    }
  }

  async score(series: Series, _context: ScoreContext): Promise<DirectScores> {
    if (this.centroids.length === 0) throw new Error('kmeans: score() before train() or setState()');
    const m = this.window;
    const channels: Float32Array[] = [];
    const discords = [];
    for (let c = 0; c < series.channels; c++) {
      const windows = new Windows(Float64Array.from(channelOf(series, c)), m);
      const distances = assign(windows, this.centroids[c]!, this.options.clusters).distances.map(Math.sqrt);
      channels.push(rowScores(distances, m, series.rows, this.options.row_score));
      discords.push(topDiscords(distances, m, this.options.discords));
    }
    const joint = new Float32Array(series.rows);
    for (let t = 0; t < series.rows; t++) joint[t] = channels.reduce((s, ch) => s + ch[t]!, 0) / channels.length;
    return {
      channels,
      // One channel: its scores are the joint score already (as the Gaussian detector, no separate joint).
      ...(channels.length > 1 ? { joint } : {}),
      firstValid: 0,
      details: { window: m, clusters: this.options.clusters, rowScore: this.options.row_score, joint: channels.length > 1 ? 'mean of the channel scores' : 'none (one channel)', discords, ...(series.rows < m ? { notes: [`the series has ${series.rows} rows, fewer than the window m = ${m}: every score is 0`] } : {}) },
    };
  }

  /**
   * Online scoring: each new subsequence's distance to the nearest centroid as it arrives
   * (the batch path's `assign` on that one window), rows settled as matrix-profile's stream
   * settles them (row t once row t + m - 1 has arrived, the last m - 1 at finish()).
   */
  async openStream(): Promise<PredictorStream> {
    if (this.centroids.length === 0) throw new Error('kmeans: openStream() before train() or setState()');
    const m = this.window;
    const k = this.options.clusters;
    const scorers = this.centroids.map((centroids): SubsequenceScorer => {
      const history = new Float64Array(m);
      let rows = 0;
      return {
        push(value) {
          history[rows % m] = value;
          rows++;
          if (rows < m) return undefined;
          const window = Float64Array.from({ length: m }, (_, j) => history[(rows - m + j) % m]!);
          return Math.sqrt(assign(new Windows(window, m), centroids, k).distances[0]!);
        },
      };
    });
    return openSubsequenceStream(scorers, m, this.options.row_score);
  }

  protected async readState(): Promise<PredictorState> {
    const k = this.options.clusters;
    const tensors = Object.fromEntries(this.centroids.map((c, i) => [`centroids_${i}`, { shape: [k, this.window], data: Float32Array.from(c) }]));
    return { format: FORMAT, tensors, json: { window: this.window, clusters: k, channels: this.channels, facts: this.facts } };
  }

  protected async writeState(state: PredictorState): Promise<void> {
    if (state.format !== FORMAT) throw new AnomalabError('ANOMALAB_CHECKPOINT_INVALID', `kmeans: not a kmeans checkpoint (format ${state.format}, expected ${FORMAT})`);
    if (Number(state.json.clusters) !== this.options.clusters) throw new AnomalabError('ANOMALAB_CHECKPOINT_INVALID', `kmeans: the checkpoint has ${state.json.clusters} clusters, the options say ${this.options.clusters}`);
    this.window = Number(state.json.window);
    this.facts = (state.json.facts as { iterations: number; inertia: number }[]) ?? [];
    this.centroids = Array.from({ length: this.channels }, (_, i) => {
      const t = state.tensors[`centroids_${i}`];
      if (!t) throw new AnomalabError('ANOMALAB_CHECKPOINT_INVALID', `kmeans: the checkpoint lacks the centroids of channel ${i}`);
      return Float64Array.from(t.data);
    });
  }

  describe() {
    return { engine: 'js', parameters: this.centroids.reduce((s, c) => s + c.length, 0) };
  }

  dispose(): void {}
}
