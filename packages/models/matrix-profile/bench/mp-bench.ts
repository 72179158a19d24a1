// `npm run bench:mp`: matrix profile scoring speed on the benchmark's largest series (one
// core, wall and CPU time), plus the train self-join (threshold), and the `join: train`
// stream's per-row latency (p50 / p99 / max wall, mean CPU); KMeansAD's fit: `npm run bench:kmeans`. Not part of the tests. Data: ANOMALAB_DATA_MIRROR (or ../shared/datasets).
//   npm run bench:mp [-- --json out.json]
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { channelOf, channelStats, standardize, type Series } from '@anomalab/core';
import { BENCHMARKS, loadBenchmarkSeries } from '@anomalab/datasets';
import { findTestMirror } from '@anomalab/datasets/testing';
import { abJoinProfile, selfJoinProfile } from '../src/profile.ts';
import { subsequences } from '../src/subsequences.ts';
import { openTrainJoinStream } from '../src/train-join-stream.ts';

const { values: args } = parseArgs({ options: { json: { type: 'string' } } });
const mirror = findTestMirror();
if (!process.env.ANOMALAB_DATA_MIRROR && mirror.dir) process.env.ANOMALAB_DATA_MIRROR = mirror.dir;

async function load(dataset: string, series: string) {
  const loaded = await loadBenchmarkSeries(BENCHMARKS.find((b) => b.name === dataset)!, series);
  const stats = channelStats(loaded.train);
  return { id: loaded.id, train: standardize(loaded.train, stats), test: standardize(loaded.test, stats) };
}

function timed(fn: () => void | Promise<void>) {
  return async () => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await fn();
    const used = process.cpuUsage(cpu);
    return { wall_s: (performance.now() - start) / 1000, cpu_s: (used.user + used.system) / 1e6 };
  };
}

const perChannel = (s: Series, f: (x: Float32Array) => void) => {
  for (let c = 0; c < s.channels; c++) f(channelOf(s, c));
};

const rows: Record<string, unknown>[] = [];
const m = 100;
for (const [dataset, series, target] of [['ecg', 'qtdbsel102', 2], ['power_demand', 'power_data', 1]] as const) {
  const { id, train, test } = await load(dataset, series);
  const cells = (test.rows - m + 1) * (train.rows - m + 1) * train.channels;
  const ab = await timed(() => {
    for (let c = 0; c < train.channels; c++) abJoinProfile(subsequences(channelOf(test, c), m), subsequences(channelOf(train, c), m));
  })();
  rows.push({ case: `${id} join train (m=${m})`, size: `${test.rows} x ${train.rows} x ${train.channels} ch`, updates: cells.toExponential(2), ...ab, ns_per_update: (ab.cpu_s / cells) * 1e9, target: `< ${target} s` });
  const selfCells = ((train.rows - m + 1) ** 2 / 2) * train.channels;
  const self = await timed(() => perChannel(train, (x) => void selfJoinProfile(subsequences(x, m))))();
  rows.push({ case: `${id} train self-join (m=${m})`, size: `${train.rows} x ${train.channels} ch`, updates: selfCells.toExponential(2), ...self, ns_per_update: (self.cpu_s / selfCells) * 1e9, target: '' });
}

const fmt = (v: unknown) => (typeof v === 'number' ? v.toFixed(v < 10 ? 3 : 1) : v === null ? '' : String(v));
const header = ['case', 'size', 'updates', 'wall_s', 'cpu_s', 'ns_per_update', 'target'];
console.log(`matrix profile bench (load average ${loadavg()[0]!.toFixed(2)}; one thread; wall time suffers when other processes share the cores, CPU time less)`);
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${header.map((h) => fmt(r[h])).join(' | ')} |`);

// The join: train stream, one row at a time (what `anomalab score --stream` and the server's stream sessions run).
const streamRows: Record<string, unknown>[] = [];
for (const [dataset, series, rowsToPush] of [['ecg', 'chfdb_chf13_45590', 1287], ['ecg', 'qtdbsel102', 2000]] as const) {
  const { id, train, test } = await load(dataset, series);
  const stream = openTrainJoinStream(train, m, 'max');
  const wall: number[] = [];
  const cpu = process.cpuUsage();
  for (let t = 0; t < rowsToPush; t++) {
    const start = performance.now();
    stream.push(test.values.subarray(t * test.channels, (t + 1) * test.channels));
    wall.push(performance.now() - start);
  }
  const used = process.cpuUsage(cpu);
  // The first m - 1 rows only fill the window; rank the rest.
  const sorted = wall.slice(m).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 1000;
  streamRows.push({ case: `${id} join train stream (m=${m})`, size: `${rowsToPush} rows vs ${train.rows} train rows x ${train.channels} ch`, p50_us: at(0.5), p99_us: at(0.99), max_us: sorted.at(-1)! * 1000, cpu_us_per_row: (used.user + used.system) / rowsToPush });
}
const streamHeader = ['case', 'size', 'p50_us', 'p99_us', 'max_us', 'cpu_us_per_row'];
console.log(`\n| ${streamHeader.join(' | ')} |\n|${streamHeader.map(() => '---').join('|')}|`);
for (const r of streamRows) console.log(`| ${streamHeader.map((h) => fmt(r[h])).join(' | ')} |`);
if (args.json) writeFileSync(args.json, `${JSON.stringify({ loadavg: loadavg(), rows, stream: streamRows }, null, 2)}\n`);
