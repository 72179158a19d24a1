import { describe, expect, it } from 'vitest';
import { channelStats, SeededRandom, standardize } from '@anomalab/core';
import { BENCHMARKS, loadBenchmarkSeries } from '@anomalab/datasets';
import { findTestMirror } from '@anomalab/datasets/testing';
import { kmeans, Windows } from './kmeans.ts';
import { KMeansPredictor } from './kmeans-predictor.ts';
import type { KMeansOptions } from './options.ts';

describe('k-means', () => {
  it('finds k distinct shapes exactly: every window on its own centroid at distance 0', () => {
    // A period-4 square wave has exactly 4 distinct windows of length 4; k-means++ never
    // draws a window identical to a chosen centroid (D^2 = 0), so it seeds one per shape.
    const values = Float64Array.from({ length: 200 }, (_, t) => (t % 4 < 2 ? 1 : -1));
    const result = kmeans(new Windows(values, 4), 4, new SeededRandom(1), 100, 1e-4);
    expect(result.inertia).toBeLessThan(1e-12);
    expect(result.iterations).toBe(1);
  });

  it('needs at least k windows', () => {
    expect(() => kmeans(new Windows(new Float64Array(5), 3), 4, new SeededRandom(1), 10, 1e-4)).toThrow(/3 subsequences of length 3 cannot form 4 clusters/);
  });
});

describe('KMeansAD is deterministic under the seed (real data: ECG chfdb_chf13_45590)', async () => {
  const mirror = findTestMirror();
  if (!mirror.dir) throw new Error(mirror.reason);
  process.env.ANOMALAB_DATA_MIRROR ??= mirror.dir;
  const loaded = await loadBenchmarkSeries(BENCHMARKS.find((b) => b.name === 'ecg')!, 'chfdb_chf13_45590');
  const stats = channelStats(loaded.train);
  const train = standardize(loaded.train, stats);
  const test = standardize(loaded.test, stats);
  const options: KMeansOptions = { clusters: 8, window: 60, row_score: 'max', max_iterations: 300, tolerance: 1e-4, discords: 3 };
  const fit = async (seed: number) => {
    const p = new KMeansPredictor(options, 2, seed);
    const lines: string[] = [];
    await p.train({ train }, { training: { epochs: 1, save_interval: 1 }, services: { logger: { info: (l: string) => lines.push(l) } } as never, signal: new AbortController().signal, startEpoch: 0, onEpochEnd: async () => {} });
    return { state: await p.getState(), scores: await p.score(test, { trainSplit: false }) };
  };
  const [a, b, c] = [await fit(1111), await fit(1111), await fit(1112)];

  it('same seed: bit-identical centroids and scores', () => {
    for (const key of Object.keys(a.state.tensors)) expect(b.state.tensors[key]!.data).toEqual(a.state.tensors[key]!.data);
    expect(b.scores.channels).toEqual(a.scores.channels);
    expect(b.scores.joint).toEqual(a.scores.joint);
  });

  it('another seed: other centroids', () => {
    expect(c.state.tensors.centroids_0!.data).not.toEqual(a.state.tensors.centroids_0!.data);
  });

  it('the labelled anomaly (rows 2800-2960 of the file) holds the highest joint score', () => {
    const joint = a.scores.joint!;
    let best = 0;
    for (let t = 1; t < joint.length; t++) if (joint[t]! > joint[best]!) best = t;
    const row = loaded.test.offset + best;
    expect(row).toBeGreaterThanOrEqual(2800 - 60);
    expect(row).toBeLessThanOrEqual(2960 + 60);
  });
});
