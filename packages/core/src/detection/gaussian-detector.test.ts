import { describe, expect, it } from 'vitest';
import { GaussianDetector } from './gaussian-detector.ts';
import { errorsFromForecast } from './forecast-errors.ts';
import { SeededRandom } from '../random.ts';
import type { ErrorSeries } from '../contracts/detector.ts';

/** Error vectors drawn from a known 2-D Gaussian: x = mu + A z. */
function gaussianErrors(rows: number, seed: number): ErrorSeries {
  const random = new SeededRandom(seed);
  const values = new Float32Array(rows * 2);
  for (let t = 0; t < rows; t++) {
    const z0 = random.normal();
    const z1 = random.normal();
    values[t * 2] = 1 + 2 * z0;
    values[t * 2 + 1] = -1 + 0.5 * z0 + 1 * z1;
  }
  return { rows, channels: 1, dim: 2, firstValid: 0, values };
}

describe('GaussianDetector', () => {
  it('recovers the mean and covariance and scores the squared Mahalanobis distance', () => {
    const detector = new GaussianDetector({ joint: false });
    detector.fit(gaussianErrors(200_000, 1));
    // Covariance A A^T = [[4, 1], [1, 1.25]]; its inverse is [[1.25, -1], [-1, 4]] / 4.
    const probe: ErrorSeries = { rows: 2, channels: 1, dim: 2, firstValid: 0, values: Float32Array.from([1, -1, 3, 0]) };
    const [scores] = detector.score(probe).channels;
    expect(scores![0]).toBeCloseTo(0, 2);
    // d = (2, 1): d^T S^-1 d = (1.25*4 - 2*2*1 + 4*1) / 4 = 1.25
    expect(scores![1]).toBeCloseTo(1.25, 1);
    const state = detector.getState() as any;
    expect(state.perChannel[0].mean[0]).toBeCloseTo(1, 1);
    expect(state.perChannel[0].ridge).toBe(0);
  });

  it('adds and records a ridge when the covariance is singular', () => {
    // Second component is an exact copy of the first: rank 1.
    const values = new Float32Array(200);
    for (let t = 0; t < 100; t++) values[t * 2] = values[t * 2 + 1] = Math.sin(t);
    const detector = new GaussianDetector({ joint: false });
    detector.fit({ rows: 100, channels: 1, dim: 2, firstValid: 0, values });
    expect((detector.describe().ridge as number[])[0]).toBeGreaterThan(0);
    const [scores] = detector.score({ rows: 1, channels: 1, dim: 2, firstValid: 0, values: Float32Array.from([0.5, 0.5]) }).channels;
    expect(Number.isFinite(scores![0])).toBe(true);
  });

  it('gives rows before firstValid a score of 0 and fits a joint model over channels', () => {
    const random = new SeededRandom(3);
    const rows = 500;
    const values = Float32Array.from({ length: rows * 2 * 3 }, () => random.normal());
    const errors: ErrorSeries = { rows, channels: 2, dim: 3, firstValid: 3, values };
    const detector = new GaussianDetector({ joint: true });
    detector.fit(errors);
    const scores = detector.score(errors);
    expect(Array.from(scores.channels[0]!.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(scores.joint).toBeDefined();
    // Mean squared Mahalanobis distance on the fitting data equals the dimension.
    const mean = (a: Float32Array) => a.subarray(3).reduce((s, v) => s + v, 0) / (rows - 3);
    expect(mean(scores.channels[0]!)).toBeCloseTo(3, 5);
    expect(mean(scores.joint!)).toBeCloseTo(6, 4);
  });
});

describe('errorsFromForecast', () => {
  it('orders each vector from the oldest (W steps ahead) to the newest prediction', () => {
    // Forecast of x_{t+k} made at t is 100*t + k; truth is 0.
    const rows = 6, H = 3;
    const values = new Float32Array(rows * H);
    for (let t = 0; t < rows; t++) for (let k = 1; k <= H; k++) values[t * H + k - 1] = 100 * t + k;
    const errors = errorsFromForecast({ rows, channels: 1, horizon: H, values }, { rows, channels: 1, values: new Float32Array(rows) }, 3);
    expect(errors.firstValid).toBe(3);
    // Row 4: made at t=1 (k=3): 103, at t=2 (k=2): 202, at t=3 (k=1): 301.
    expect(Array.from(errors.values.subarray(4 * 3, 5 * 3))).toEqual([103, 202, 301]);
    expect(Array.from(errors.values.subarray(0, 3))).toEqual([0, 0, 0]);
  });
});
