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

function scoreGaussian(fit: GaussianFit, errors: ErrorSeries, c: number): Float32Array {
  const n = fit.dim;
  const scores = new Float32Array(errors.rows); // rows before firstValid keep score 0
  const mean = Float64Array.from(fit.mean);
  const factor = Float64Array.from(fit.factor);
  const v = new Float64Array(n);
  const scratch = new Float64Array(n);
  for (let t = errors.firstValid; t < errors.rows; t++) {
    vectorAt(errors, t, c, v);
    for (let i = 0; i < n; i++) v[i] = v[i]! - mean[i]!;
    scores[t] = mahalanobisSquared(factor, n, v, scratch);
  }
  return scores;
}

/**
 * Gaussian error model + squared Mahalanobis score (reference section 5), per channel and
 * optionally over all channels jointly.
 */
export class GaussianDetector implements Detector {
  private perChannel: GaussianFit[] = [];
  private joint?: GaussianFit;

  constructor(private readonly options: GaussianDetectorOptions) {}

  fit(train: ErrorSeries): void {
    this.perChannel = Array.from({ length: train.channels }, (_, c) => fitGaussian(train, c));
    this.joint = this.options.joint && train.channels > 1 ? fitGaussian(train, -1) : undefined;
  }

  score(errors: ErrorSeries): DetectorScores {
    if (!this.perChannel.length) throw new Error('detector used before fit()');
    if (errors.channels !== this.perChannel.length) throw new Error(`detector fitted on ${this.perChannel.length} channels, got ${errors.channels}`);
    return {
      channels: this.perChannel.map((fit, c) => scoreGaussian(fit, errors, c)),
      joint: this.joint ? scoreGaussian(this.joint, errors, -1) : undefined,
    };
  }

  getState(): Record<string, unknown> {
    return { perChannel: this.perChannel, joint: this.joint ?? null };
  }

  setState(state: Record<string, unknown>): void {
    this.perChannel = state.perChannel as GaussianFit[];
    this.joint = (state.joint as GaussianFit | null) ?? undefined;
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
