// `npm run bench:kmeans`: KMeansAD's fit (k = 20, m = 100, one thread) on the benchmark's
// largest series, wall and CPU time. Not part of the tests; `npm run bench:mp` times the
// matrix profile on the same series. Data: ANOMALAB_DATA_MIRROR (or ../shared/datasets).
import { loadavg } from 'node:os';
import { channelStats, standardize } from '@anomalab/core';
import { BENCHMARKS, loadBenchmarkSeries } from '@anomalab/datasets';
import { findTestMirror } from '@anomalab/datasets/testing';
import { KMeansPredictor } from '../src/kmeans-predictor.ts';

const mirror = findTestMirror();
if (!process.env.ANOMALAB_DATA_MIRROR && mirror.dir) process.env.ANOMALAB_DATA_MIRROR = mirror.dir;

const m = 100;
const header = ['case', 'size', 'wall_s', 'cpu_s'];
console.log(`kmeans bench (load average ${loadavg()[0]!.toFixed(2)}; one thread)`);
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const [dataset, series] of [['ecg', 'qtdbsel102'], ['power_demand', 'power_data']] as const) {
  const loaded = await loadBenchmarkSeries(BENCHMARKS.find((b) => b.name === dataset)!, series);
  const train = standardize(loaded.train, channelStats(loaded.train));
  const km = new KMeansPredictor({ clusters: 20, window: m, row_score: 'max', max_iterations: 300, tolerance: 1e-4, discords: 3 }, train.channels, 1111);
  const cpu = process.cpuUsage();
  const start = performance.now();
  await km.train({ train }, { training: { epochs: 1, save_interval: 1 }, services: { logger: { info: () => {} } } as never, signal: new AbortController().signal, startEpoch: 0, onEpochEnd: async () => {} });
  const used = process.cpuUsage(cpu);
  console.log(`| ${loaded.id} kmeans fit (k=20, m=${m}) | ${train.rows} x ${train.channels} ch | ${((performance.now() - start) / 1000).toFixed(3)} | ${((used.user + used.system) / 1e6).toFixed(3)} |`);
}
