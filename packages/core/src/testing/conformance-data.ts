import type { DatasetPlugin, LoadedSeries } from '../contracts/dataset-plugin.ts';
import type { Series, Split } from '../contracts/series.ts';
import { SeededRandom } from '../random.ts';
import { channelStats, standardize } from '../pipeline/standardize.ts';

/** Size of the generated data the conformance suite trains on. */
export interface ConformanceDataOptions {
  /** Rows of the train split (default 400). */
  trainRows?: number;
  /** Rows of the test split (default 200). */
  testRows?: number;
  /** Channels (default 2: multi-channel handling is part of the contract). */
  channels?: number;
  /** Period of the base sine in rows (default 25). */
  period?: number;
  /** Generator seed (default 7). */
  seed?: number;
}

/**
 * Sums of sines + noise with a few spikes in the test split, like the `synthetic` dataset
 * plugin. Generated here because core must not depend on @anomalab/datasets.
 */
export function conformanceData(options: ConformanceDataOptions = {}): LoadedSeries {
  const { trainRows = 400, testRows = 200, channels = 2, period = 25, seed = 7 } = options;
  const rows = trainRows + testRows;
  const random = new SeededRandom(seed);
  const values = new Float32Array(rows * channels);
  const labels = new Uint8Array(rows);
  const phase = Array.from({ length: channels }, () => random.uniform() * 2 * Math.PI);
  for (let t = 0; t < rows; t++) {
    for (let c = 0; c < channels; c++) {
      const x = (2 * Math.PI * t) / period + phase[c]!;
      values[t * channels + c] = Math.sin(x) + 0.4 * Math.sin(2 * x) + 0.05 * random.normal();
    }
  }
  // Three spikes, evenly spaced in the test split, so evaluation has something to find.
  for (let i = 1; i <= 3; i++) {
    const t = trainRows + Math.floor((i * testRows) / 4);
    const c = i % channels;
    values[t * channels + c] = values[t * channels + c]! + 4;
    labels[t] = 1;
  }
  const split = (from: number, to: number): Split => ({
    rows: to - from,
    channels,
    offset: from,
    values: values.slice(from * channels, to * channels),
    labels: labels.slice(from, to),
  });
  return {
    id: 'conformance/sines',
    channelNames: Array.from({ length: channels }, (_, c) => `ch${c}`),
    train: split(0, trainRows),
    test: split(trainRows, rows),
    labelled: true,
    metadata: { generator: 'conformance sines', trainRows, testRows, channels, period, seed },
  };
}

/** Train and test split standardised with the train statistics, as the pipeline hands them to models. */
export function standardizedConformanceData(options: ConformanceDataOptions = {}): { train: Series; test: Series } {
  const loaded = conformanceData(options);
  const stats = channelStats(loaded.train);
  return { train: standardize(loaded.train, stats), test: standardize(loaded.test, stats) };
}

/** A dataset plugin serving `conformanceData` (for the pipeline and config-validation tests). */
export function conformanceDataset(options: ConformanceDataOptions = {}): DatasetPlugin {
  return {
    kind: 'dataset',
    name: 'conformance-sines',
    description: 'Generated sines for the model conformance suite.',
    listSeries: () => [{ name: 'sines', labelled: true }],
    load: async () => conformanceData(options),
  };
}
