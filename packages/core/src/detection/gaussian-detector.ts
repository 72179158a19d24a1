import type { Detector, DetectorPlugin, DetectorScores, ErrorSeries } from '../contracts/detector.ts';
import { AnomalabError } from '../errors.ts';
import { choleskyWithRidge, mahalanobisSquared } from './linear-algebra.ts';

export interface GaussianDetectorOptions {
  /** Also score all channels' error vectors together with one joint Gaussian. */
  joint: boolean;
}

interface GaussianFit {
  mean: number[];
  /** Lower Cholesky factor of the (possibly ridged) covariance, row-major. */
  factor: number[];
  ridge: number;
  dim: number;
  samples: number;
}

/** Gather the error vector of row t: one channel, or all channels concatenated (c = -1). */
function vectorAt(errors: ErrorSeries, t: number, c: number, out: Float64Array): void {
  const { channels, dim, values } = errors;
  if (c >= 0) {
    const base = (t * channels + c) * dim;
    for (let j = 0; j < dim; j++) out[j] = values[base + j]!;
  } else {
    const base = t * channels * dim;
    for (let j = 0; j < channels * dim; j++) out[j] = values[base + j]!;
  }
}

function fitGaussian(errors: ErrorSeries, c: number): GaussianFit {
  const n = c >= 0 ? errors.dim : errors.dim * errors.channels;
  const count = errors.rows - errors.firstValid;
  if (count < 2) throw new AnomalabError('ANOMALAB_DATA_INVALID', `the Gaussian error model needs at least 2 error vectors from the train split, got ${count} (train rows ${errors.rows}, W=${errors.dim}): use a longer train split or a smaller detector.window`);
  const mean = new Float64Array(n);
  const v = new Float64Array(n);
  for (let t = errors.firstValid; t < errors.rows; t++) {
    vectorAt(errors, t, c, v);
    for (let i = 0; i < n; i++) mean[i] = mean[i]! + v[i]!;
  }
  for (let i = 0; i < n; i++) mean[i] = mean[i]! / count;
  // Biased covariance (divide by count), as the reference.
  const cov = new Float64Array(n * n);
  for (let t = errors.firstValid; t < errors.rows; t++) {
    vectorAt(errors, t, c, v);
    for (let i = 0; i < n; i++) v[i] = v[i]! - mean[i]!;
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) cov[i * n + j] = cov[i * n + j]! + v[i]! * v[j]!;
  }
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      cov[i * n + j] = cov[i * n + j]! / count;
      cov[j * n + i] = cov[i * n + j]!;
    }
  const { factor, ridge } = choleskyWithRidge(cov, n);
  return { mean: Array.from(mean), factor: Array.from(factor), ridge, dim: n, samples: count };
}

/**
 * A fit in float64 arrays with scratch space, built once per fit/setState: a stream session
 * scores one row per call, and copying the factor per call made that 10x slower.
 */
class GaussianScorer {
  readonly n: number;
  private readonly mean: Float64Array;
  private readonly factor: Float64Array;
  private readonly centred: Float64Array;
  private readonly scratch: Float64Array;

  constructor(fit: GaussianFit) {
    this.n = fit.dim;
    this.mean = Float64Array.from(fit.mean);
    this.factor = Float64Array.from(fit.factor);
    this.centred = new Float64Array(fit.dim);
    this.scratch = new Float64Array(fit.dim);
  }

  /** Squared Mahalanobis distance of `values[at .. at + n)`. */
  score(values: Float32Array, at: number): number {
    const { n, mean, centred } = this;
    for (let i = 0; i < n; i++) centred[i] = values[at + i]! - mean[i]!;
    return mahalanobisSquared(this.factor, n, centred, this.scratch);
  }
}

/** Scores of every row of `errors` (one channel, or all channels concatenated: c = -1). */
function scoreGaussian(scorer: GaussianScorer, errors: ErrorSeries, c: number): Float32Array {
  const scores = new Float32Array(errors.rows); // rows before firstValid keep score 0
  const { channels, dim, values } = errors;
  for (let t = errors.firstValid; t < errors.rows; t++) scores[t] = scorer.score(values, c >= 0 ? (t * channels + c) * dim : t * channels * dim);
  return scores;
}

/**
 * Gaussian error model + squared Mahalanobis score (reference section 5), per channel and
 * optionally over all channels jointly.
 */
export class GaussianDetector implements Detector {
  private perChannel: GaussianFit[] = [];
  private joint?: GaussianFit;
  private scorers: { channels: GaussianScorer[]; joint?: GaussianScorer } = { channels: [] };

  constructor(private readonly options: GaussianDetectorOptions) {}

  fit(train: ErrorSeries): void {
    this.perChannel = Array.from({ length: train.channels }, (_, c) => fitGaussian(train, c));
    this.joint = this.options.joint && train.channels > 1 ? fitGaussian(train, -1) : undefined;
    this.prepare();
  }

  score(errors: ErrorSeries): DetectorScores {
    this.checkChannels(errors.channels);
    return {
      channels: this.scorers.channels.map((scorer, c) => scoreGaussian(scorer, errors, c)),
      joint: this.scorers.joint ? scoreGaussian(this.scorers.joint, errors, -1) : undefined,
    };
  }

  private checkChannels(channels: number): void {
    if (!this.perChannel.length) throw new Error('detector used before fit()');
    if (channels !== this.perChannel.length) throw new Error(`detector fitted on ${this.perChannel.length} channels, got ${channels}`);
  }

  private prepare(): void {
    this.scorers = { channels: this.perChannel.map((fit) => new GaussianScorer(fit)), joint: this.joint ? new GaussianScorer(this.joint) : undefined };
  }

  getState(): Record<string, unknown> {
    return { perChannel: this.perChannel, joint: this.joint ?? null };
  }

  setState(state: Record<string, unknown>): void {
    this.perChannel = state.perChannel as GaussianFit[];
    this.joint = (state.joint as GaussianFit | null) ?? undefined;
    this.prepare();
  }

  describe(): Record<string, unknown> {
    return {
      ridge: this.perChannel.map((f) => f.ridge),
      jointRidge: this.joint?.ridge ?? null,
      trainVectors: this.perChannel[0]?.samples ?? 0,
    };
  }
}

export const gaussianDetectorPlugin: DetectorPlugin<GaussianDetectorOptions> = {
  kind: 'detector',
  name: 'gaussian',
  description: 'Gaussian model of the W-step error vectors (mean, biased covariance) and squared Mahalanobis score.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      joint: {
        type: 'boolean',
        default: true,
        description: 'Also fit one Gaussian over all channels together and report a joint score.',
      },
    },
  },
  create: (options) => new GaussianDetector(options),
};
