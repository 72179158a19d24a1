import { AnomalabError, type DatasetPlugin, type LoadedSeries, type PluginServices } from '@anomalab/core';
import { acquireFile, type AcquireOptions, type RawFile } from '../acquisition/acquire.ts';
import { resolveMirrorDir } from '../acquisition/mirror.ts';
import { BENCHMARKS, type BenchmarkDataset, type BenchmarkSeries } from './catalog.ts';
import { buildBenchmarkSeries } from './build-series.ts';
import { parseBenchmarkFile } from './parse.ts';

/** Every catalog file that comes out of the same zip archive as `series` (cached together). */
function zipSiblings(series: BenchmarkSeries): RawFile[] {
  const source = series.source;
  if (source.kind !== 'zip') return [];
  return BENCHMARKS.flatMap((d) => d.series).filter((s) => s.source.kind === 'zip' && s.source.url === source.url);
}

function findSeries(dataset: BenchmarkDataset, name: string | undefined): BenchmarkSeries {
  const series = name === undefined ? dataset.series[0] : dataset.series.find((s) => s.name === name);
  if (!series) {
    throw new AnomalabError(
      'ANOMALAB_DATA_UNAVAILABLE',
      `dataset ${dataset.name} has no series "${name}"; it has ${dataset.series.map((s) => s.name).join(', ')}`,
    );
  }
  return series;
}

/**
 * Loads one benchmark series: acquire the raw file (mirror, cache or download, always
 * checksum-verified), parse it and cut it into splits. Exposed for scripts and tests.
 */
export async function loadBenchmarkSeries(dataset: BenchmarkDataset, seriesName: string | undefined, options: AcquireOptions = {}): Promise<LoadedSeries> {
  const series = findSeries(dataset, seriesName);
  const raw = await acquireFile(series, { ...options, zipSiblings: zipSiblings(series) });
  const table = parseBenchmarkFile(raw.toString('utf8'), dataset.format, series.path);
  return buildBenchmarkSeries(dataset, series, table);
}

/** The mirror the run's settings name (`--data-mirror`); without one, acquireFile falls back to the environment. */
function mirrorOption(settings: PluginServices['settings']): Pick<AcquireOptions, 'mirrorDir'> {
  return settings?.dataMirror ? { mirrorDir: resolveMirrorDir(settings.dataMirror) } : {};
}

/** A dataset plugin for one catalog entry. Nothing is read until `load`/`prefetch`. */
export function benchmarkDatasetPlugin(dataset: BenchmarkDataset): DatasetPlugin {
  return {
    kind: 'dataset',
    name: dataset.name,
    description: dataset.description,
    about: {
      ...dataset.about,
      series: dataset.series.map((s) => s.name).join(', '),
      cache: 'downloaded files are verified against pinned SHA-256 sums and cached under $ANOMALAB_CACHE_DIR/datasets (default $XDG_CACHE_HOME/anomalab or ~/.cache/anomalab); ANOMALAB_DATA_MIRROR / --data-mirror <dir> reads a local mirror instead',
    },
    listSeries: () =>
      dataset.series.map((s) => ({ name: s.name, description: s.description, channels: [...dataset.channels], labelled: s.anomalies !== undefined })),
    async prefetch({ logger, settings }) {
      for (const series of dataset.series) {
        await acquireFile(series, { logger, copyMirrorToCache: true, zipSiblings: zipSiblings(series), ...mirrorOption(settings) });
        logger.info(`${dataset.name}/${series.name}: ${series.path} verified`);
      }
    },
    load: async ({ series, services, signal }) => loadBenchmarkSeries(dataset, series, { logger: services?.logger, signal, ...mirrorOption(services?.settings) }),
  };
}

/** One plugin per benchmark data set: ecg, gesture, nyc_taxi, power_demand, respiration, space_shuttle. */
export const benchmarkDatasets: DatasetPlugin[] = BENCHMARKS.map(benchmarkDatasetPlugin);
