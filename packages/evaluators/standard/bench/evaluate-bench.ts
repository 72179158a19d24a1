// Evaluation time of every metric on the largest test split of the test suite,
// ecg/qtdbsel102 (9,882 rows, 2 channels + joint): the core's point metrics (oracle sweep,
// AUC-PR/ROC, events) plus every built-in evaluator (VUS with the period window and 250
// thresholds, range-based, affiliation, PA%K at the oracle and deployable thresholds).
// Target: all metrics of one split (3 score series) in under 2 s.
//
// Run: npm run bench:evaluate [-- --repeat N]
// Scores: a naive real scorer (absolute first difference of the standardised lead) and
// seeded uniform random scores (many flagged events: the worst case for the event metrics);
// the deployable threshold comes from the same scorer on the train split. Times are the
// median of --repeat runs; CPU time is shown too (the machine may be shared).
import { parseArgs } from 'node:util';
import { findTestMirror } from '@anomalab/datasets/testing';
import { BENCHMARKS, loadBenchmarkSeries } from '@anomalab/datasets';
import { channelOf, channelStats, evaluateChannel, SeededRandom, standardize, type SelectedEvaluator, type Series } from '@anomalab/core';
import plugins from '../src/index.ts';

const { values: args } = parseArgs({ options: { repeat: { type: 'string', default: '5' } } });
const repeat = Math.max(1, Number(args.repeat));
const mirror = findTestMirror();
if (!process.env.ANOMALAB_DATA_MIRROR && mirror.dir) process.env.ANOMALAB_DATA_MIRROR = mirror.dir;

const loaded = await loadBenchmarkSeries(BENCHMARKS.find((d) => d.name === 'ecg')!, 'qtdbsel102');
const stats = channelStats(loaded.train);
const train = standardize(loaded.train, stats);
const test = standardize(loaded.test, stats);
const labels = test.labels!;

function firstDifference(series: Series, c: number): Float32Array {
  const x = channelOf(series, c);
  return Float32Array.from(x, (v, t) => (t === 0 ? 0 : Math.abs(v - x[t - 1]!)));
}
function random(rows: number, seed: string): Float32Array {
  const r = new SeededRandom(7).fork(seed);
  return Float32Array.from({ length: rows }, () => r.uniform());
}
const scorers: Record<string, (split: Series, c: number, name: string) => Float32Array> = {
  'first difference': (s, c) => firstDifference(s, c),
  random: (s, c, name) => random(s.rows, `${name}/${c}`),
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function time(fn: () => void): { wall: number; cpu: number } {
  const walls: number[] = [], cpus: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    fn();
    walls.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / 1000);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

const all: SelectedEvaluator[] = plugins.map((plugin) => ({ plugin, options: {} }));
const settings = { beta: 1, threshold: { method: 'max-train' as const } };
const rows: string[][] = [['SCORES', 'METRICS', 'SERIES', 'WALL ms', 'CPU ms', 'UNDER 2 s']];
for (const [scorer, score] of Object.entries(scorers)) {
  // Three score series as a run has: two channels and a joint one (here: their sum).
  const series = [0, 1].map((c) => ({ scores: score(test, c, 'test'), trainScores: score(train, c, 'train'), values: channelOf(test, c) }));
  series.push({
    scores: Float32Array.from(series[0]!.scores, (v, t) => v + series[1]!.scores[t]!),
    trainScores: Float32Array.from(series[0]!.trainScores, (v, t) => v + series[1]!.trainScores[t]!),
    values: series[0]!.values,
  });
  const evaluateAll = (evaluators: SelectedEvaluator[]) => () => {
    for (const s of series) evaluateChannel({ ...s, labels, firstValid: 10 }, settings, evaluators);
  };
  const cases: [string, SelectedEvaluator[]][] = [['core point metrics only', []], ...all.map((e): [string, SelectedEvaluator[]] => [`core + ${e.plugin.name}`, [e]]), ['all', all]];
  for (const [name, evaluators] of cases) {
    const t = time(evaluateAll(evaluators));
    rows.push([scorer, name, `${series.length} x ${test.rows}`, t.wall.toFixed(0), t.cpu.toFixed(0), name === 'all' ? (t.wall < 2000 ? 'yes' : 'NO') : '']);
  }
  const vus = evaluateChannel({ ...series[2]!, labels, firstValid: 10 }, settings, all).metrics.evaluators!.vus!;
  console.log(`${scorer}: joint VUS-PR ${vus.metrics['vus-pr']!.toFixed(4)}, window ${vus.parameters.window} (${vus.parameters.windowRule})`);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log(`\necg/qtdbsel102 test split: ${test.rows} rows, ${labels.reduce((a, b) => a + b, 0)} labelled; median of ${repeat} runs\n`);
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
