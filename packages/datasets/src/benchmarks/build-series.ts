import { AnomalabError, type LoadedSeries, type Split } from '@anomalab/core';
import { LABEL_CAVEAT, type BenchmarkDataset, type BenchmarkSeries, type RowSlice } from './catalog.ts';
import type { ParsedTable } from './parse.ts';

/** Per-row 0/1 labels: row i is anomalous when lo < i < hi for one of the ranges. */
export function labelRows(rows: number, ranges: ReadonlyArray<readonly [number, number]>): Uint8Array {
  const labels = new Uint8Array(rows);
  for (const [lo, hi] of ranges) for (let i = Math.max(0, lo + 1); i < Math.min(rows, hi); i++) labels[i] = 1;
  return labels;
}

/** [start, end) with `'end'` resolved; throws when the slice does not fit the file. */
export function resolveSlice(slice: RowSlice, rows: number, what: string): [number, number] {
  const end = slice.end === 'end' ? rows : slice.end;
  if (slice.start < 0 || end > rows || slice.start >= end) {
    throw new AnomalabError('ANOMALAB_DATA_INVALID', `${what}: split [${slice.start}, ${slice.end}) does not fit the file's ${rows} rows`);
  }
  return [slice.start, end];
}

function cut(table: ParsedTable, labels: Uint8Array | undefined, [from, to]: [number, number]): Split {
  const c = table.channels;
  return {
    rows: to - from,
    channels: c,
    offset: from,
    values: table.values.slice(from * c, to * c),
    ...(labels ? { labels: labels.slice(from, to) } : {}),
    ...(table.timestamps ? { timestamps: table.timestamps.slice(from, to) } : {}),
  };
}

const sum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);

/**
 * Cuts a parsed benchmark file into its train/test splits with labels, and gathers the facts
 * users should see with results (source, caveats, label counts per split).
 */
export function buildBenchmarkSeries(dataset: BenchmarkDataset, series: BenchmarkSeries, table: ParsedTable): LoadedSeries {
  const id = `${dataset.name}/${series.name}`;
  const train = resolveSlice(series.train, table.rows, `${id} train`);
  const test = resolveSlice(series.test, table.rows, `${id} test`);
  const labels = series.anomalies ? labelRows(table.rows, series.anomalies) : undefined;
  const trainSplit = cut(table, labels, train);
  const testSplit = cut(table, labels, test);

  const metadata: Record<string, unknown> = {
    dataset: dataset.name,
    series: series.name,
    description: series.description,
    source: dataset.about.source,
    file: series.path,
    sha256: series.sha256,
    rows: table.rows,
    sampling: dataset.about.sampling,
    train: train,
    test: test,
  };
  if (table.samplingIntervalSeconds !== undefined) metadata.samplingIntervalSeconds = table.samplingIntervalSeconds;
  if (table.filledCells !== undefined) metadata.filledZeroCells = table.filledCells;
  if (series.splitNote) metadata.split = series.splitNote;
  if (labels && series.anomalies) {
    const anomalousRows = { train: sum(trainSplit.labels!), test: sum(testSplit.labels!), total: sum(labels) };
    metadata.labels = LABEL_CAVEAT;
    metadata.anomalyRanges = series.anomalies;
    metadata.anomalousRows = anomalousRows;
    // Anomalies in the train split contaminate fitting; say so instead of hiding it.
    if (anomalousRows.train > 0) {
      metadata.warning = `the train split [${train[0]}, ${train[1]}) contains ${anomalousRows.train} labelled anomalous rows (labels are never used for fitting, but the model sees these rows)`;
    }
  } else {
    metadata.labels = 'none: this series is unlabelled (it can be scored, not evaluated)';
  }
  return { id, channelNames: [...dataset.channels], train: trainSplit, test: testSplit, labelled: labels !== undefined, metadata };
}
