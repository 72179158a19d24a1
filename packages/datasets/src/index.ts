// @anomalab/datasets: dataset plugins. The default export is discovered by the core
// through `anomalab.plugins` in this package's package.json. Importing does no I/O.
import { syntheticDataset } from './synthetic/synthetic-dataset.ts';
import { benchmarkDatasets } from './benchmarks/benchmark-dataset.ts';
import { csvDataset } from './csv/csv-dataset.ts';

export { syntheticDataset, generateSynthetic } from './synthetic/synthetic-dataset.ts';
export type { SyntheticOptions, InjectedAnomaly, AnomalyKind } from './synthetic/synthetic-dataset.ts';
export { benchmarkDatasets, benchmarkDatasetPlugin, loadBenchmarkSeries } from './benchmarks/benchmark-dataset.ts';
export { BENCHMARKS, LABEL_CAVEAT, findBenchmark } from './benchmarks/catalog.ts';
export type { BenchmarkDataset, BenchmarkSeries, FileFormat, RemoteSource, RowSlice } from './benchmarks/catalog.ts';
export { acquireFile, effectiveUrl } from './acquisition/acquire.ts';
export type { AcquireOptions, RawFile } from './acquisition/acquire.ts';
export { cacheRoot, datasetCacheDir } from './acquisition/cache.ts';

export { csvDataset, loadCsv } from './csv/csv-dataset.ts';
export { csvOptionsSchema, withCsvDefaults } from './csv/csv-options.ts';
export type { CsvOptions, ColumnRef, TimeValue } from './csv/csv-options.ts';

export default [syntheticDataset, ...benchmarkDatasets, csvDataset];
