// Helpers for this package's tests: benchmark series from the data mirror.
import { channelOf, channelStats, standardize } from '@anomalab/core';
import { BENCHMARKS, loadBenchmarkSeries } from '@anomalab/datasets';
import { findTestMirror } from '@anomalab/datasets/testing';

export { channelOf, channelStats, standardize };

/** A benchmark series from ANOMALAB_DATA_MIRROR (or ../shared/datasets); fails, never skips, without it. */
export async function loadSeries(dataset: string, series: string) {
  const mirror = findTestMirror();
  if (!mirror.dir) throw new Error(mirror.reason);
  process.env.ANOMALAB_DATA_MIRROR ??= mirror.dir;
  return loadBenchmarkSeries(BENCHMARKS.find((b) => b.name === dataset)!, series);
}
