// The 3-seed comparison with the PyTorch original (issue 18): for each series and seed,
// train the original with its own scripts (original_seeds.py, Debian's python3-torch) and
// anomalab (`anomalab experiment experiments/ecg-<series>.yaml --set seed=S`), dropout and
// noise on, both at the same epochs; then the oracle F1 per lead of both, computed the same
// way: the core's oracleSweep (1000 log-spaced thresholds in [1, max], rows from W on) on
// the test scores; for the original, on the scores its 2_anomaly_detection.py saved.
// Runs one after another (the machine is shared), about 6 min per original run and 3 per
// anomalab run at 100 epochs. Not part of the test suite.
//
//   npx tsx packages/models/rnn/bench/reference-seeds/compare.ts --original /path/to/checkout
//   ... --series chfdb_chf01_275 --seeds 1111 --epochs 10 --work /tmp/seeds --only anomalab
//
// --work keeps every run's result (original: <series>-<seed>-e<epochs>.json; anomalab: keyed
// by the commit and --set overrides too), so a repeated call only runs what is missing and
// the original is trained once per series/seed/epochs. --reuse also takes an anomalab result
// of another commit (the table names the commits its rows were measured at).
//
// With more than three seeds (or --anomalab-seeds giving anomalab more), a second table
// tells seed noise from a difference: both sides' means over all seeds, a permutation test
// of the difference (two-sided, 100,000 seeded permutations, simple-statistics), and how
// often a 3-seed mean of each side's other seeds reaches the bar set by the original's first
// three (issue 18's 3-seed criterion, applied to the original itself as a control).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { oracleSweep, SeededRandom } from '@anomalab/core';
import { permutationTest, sampleCorrelation } from 'simple-statistics';
import { BENCHMARKS, loadBenchmarkSeries } from '@anomalab/datasets';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../../../..');
const W = 10;

const { values: args } = parseArgs({
  options: {
    original: { type: 'string' },
    series: { type: 'string', default: 'chfdb_chf01_275,chfdb_chf13_45590' },
    seeds: { type: 'string', default: '1111,1112,1113' },
    'anomalab-seeds': { type: 'string' },
    epochs: { type: 'string', default: '100' },
    work: { type: 'string', default: join(tmpdir(), 'anomalab-reference-seeds') },
    only: { type: 'string' },
    set: { type: 'string', multiple: true, default: [] },
    python: { type: 'string', default: '/usr/bin/python3' },
    json: { type: 'string' },
    reuse: { type: 'boolean', default: false },
  },
});
if (args.only && !['original', 'anomalab'].includes(args.only)) throw new Error(`--only expects original or anomalab, got ${args.only}`);
if (!args.original && args.only !== 'anomalab') throw new Error('--original <checkout of chickenbestlover/RNN-Time-series-Anomaly-Detection> is required (or --only anomalab)');
const seriesNames = args.series.split(',');
/** A comma-separated list of integer seeds, or a clear error naming the option. */
function seedList(option: string, text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const list = parts.map(Number);
  if (!parts.every((s) => /^\d+$/.test(s)) || !list.every(Number.isSafeInteger)) throw new Error(`--${option} expects comma-separated integers, got "${text}"`);
  return list;
}
const seeds = seedList('seeds', args.seeds);
const anomalabSeeds = seedList('anomalab-seeds', args['anomalab-seeds'] ?? args.seeds);
const epochs = Number(args.epochs);
const work = resolve(args.work);
mkdirSync(work, { recursive: true });
/** The checkout's commit (+ '-dirty' with uncommitted changes to tracked files), read when each anomalab run starts. */
function commitNow(): string {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repo, encoding: 'utf8' }).trim() !== '';
  return commit + (dirty ? '-dirty' : '');
}
const ecg = BENCHMARKS.find((d) => d.name === 'ecg')!;

interface SeedResult {
  f1: number[];
  cpuSeconds?: number;
  wallSeconds?: number;
}

function cached<T>(file: string, make: () => T): T {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as T;
  const value = make();
  writeFileSync(`${file}.tmp`, JSON.stringify(value));
  execFileSync('mv', [`${file}.tmp`, file]);
  return value;
}

function oracleF1(scores: ArrayLike<number>, labels: Uint8Array): number {
  return oracleSweep(Float32Array.from(scores), labels, W).best?.f1 ?? 0;
}

function originalRun(series: string, seed: number, labels: Uint8Array): SeedResult {
  const out = join(work, `original-${series}-${seed}-e${epochs}.json`);
  const raw = cached(out, () => {
    const dir = join(work, `original-${series}-${seed}-e${epochs}`);
    const r = spawnSync(args.python, [join(here, 'original_seeds.py'), '--original', resolve(args.original!), '--series', `ecg/${series}`, '--seed', String(seed), '--epochs', String(epochs), '--work', dir, '--out', `${out}.raw`], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`original_seeds.py failed for ${series} seed ${seed} (exit ${r.status}); see ${dir}/train.log and detect.log`);
    return JSON.parse(readFileSync(`${out}.raw`, 'utf8')) as { scores: number[][]; printedFBeta: number[]; trainCpuSeconds: number; trainWallSeconds: number };
  });
  return { f1: raw.scores.map((s) => oracleF1(s, labels)), cpuSeconds: raw.trainCpuSeconds, wallSeconds: raw.trainWallSeconds };
}

function anomalabRun(series: string, seed: number): SeedResult & { commit: string } {
  const commit = commitNow();
  const setKey = args.set.join(' ').replace(/[^A-Za-z0-9._=-]+/g, '_');
  const prefix = `anomalab-${series}-${seed}-e${epochs}-`;
  const out = join(work, `${prefix}${[commit, setKey].filter(Boolean).join('_')}.json`);
  if (args.reuse && !existsSync(out)) {
    // --reuse: a result of another commit (same series, seed, epochs, --set); the row names its commit.
    const other = readdirSync(work)
      .filter((f) => f.startsWith(prefix) && f.endsWith('.json') && f.slice(prefix.length, -5).split('_').slice(1).join('_') === setKey)
      .map((f) => join(work, f))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    if (other) return JSON.parse(readFileSync(other, 'utf8')) as SeedResult & { commit: string };
  }
  return cached(out, () => {
    const config = join(repo, 'experiments', `ecg-${series}.yaml`);
    const cli = ['packages/cli/bin/anomalab.js', 'experiment', config, '--quiet', '--json', '--runs', join(work, 'runs'), '--set', `seed=${seed}`, '--set', `training.epochs=${epochs}`, ...args.set.flatMap((s) => ['--set', s])];
    const r = spawnSync(process.execPath, cli, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`anomalab experiment failed for ${series} seed ${seed} (exit ${r.status})`);
    const run = JSON.parse(r.stdout) as { metrics: Record<string, { oracle?: { f1?: number } }>; durationMs: number; gitCommit: string };
    return { f1: ['lead1', 'lead2'].map((c) => run.metrics[c]?.oracle?.f1 ?? 0), wallSeconds: run.durationMs / 1000, commit };
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Sample standard deviation (n - 1), as numpy's std(ddof=1). */
const std = (xs: number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
const f3 = (x: number) => x.toFixed(3);

/** Every k-element subset of xs (k small). */
function subsets<T>(xs: T[], k: number): T[][] {
  if (k === 0) return [[]];
  return xs.flatMap((x, i) => subsets(xs.slice(i + 1), k - 1).map((rest) => [x, ...rest]));
}

/** Seed noise or a difference: all-seed means, a permutation test, and the 3-seed criterion applied to each side's other seeds. */
function spreadRow(name: string, o: number[], a: number[]): string {
  const cell = (xs: number[]) => (xs.length ? `${xs.length}: ${f3(mean(xs))} (sd ${f3(std(xs))})` : '–');
  if (o.length < 3 || a.length < 2) return `| ${name} | ${cell(o)} | ${cell(a)} | | | | | |`;
  const random = new SeededRandom(1);
  const p = permutationTest(a, o, 'two_side', 100_000, () => random.uniform());
  const bar = mean(o.slice(0, 3)) - std(o.slice(0, 3));
  const reach = (xs: number[]) => {
    const triples = subsets(xs, 3);
    return triples.length ? `${triples.filter((t) => mean(t) >= bar).length} of ${triples.length}` : '–';
  };
  return `| ${name} | ${cell(o)} | ${cell(a)} | ${(mean(a) - mean(o)).toFixed(3)} | ${p.toFixed(3)} | ${f3(bar)} | ${reach(o.slice(3))} | ${reach(a.slice(3))} |`;
}

/**
 * Seed for seed, over the seeds both sides ran: the mean and sd of anomalab's F1 minus the
 * original's of the same seed, and the correlation of the two across seeds. With rng: torch
 * a seed draws the same random inputs on both sides, so the runs of a seed should correspond
 * (r > 0); with rng: counter they are unrelated draws (r near 0).
 */
function pairedRow(name: string, pairs: [number, number][]): string {
  const d = pairs.map(([o, a]) => a - o);
  const r = pairs.length > 2 ? sampleCorrelation(pairs.map((p) => p[0]), pairs.map((p) => p[1])) : NaN;
  return `| ${name} | ${pairs.length} | ${(mean(d) >= 0 ? '+' : '') + f3(mean(d))} (sd ${f3(std(d))}) | ${f3(Math.max(...d.map(Math.abs)))} | ${Number.isFinite(r) ? r.toFixed(2) : '–'} |`;
}

const rows: string[] = [];
const spreadRows: string[] = [];
const pairedRows: string[] = [];
const report: Record<string, unknown>[] = [];
for (const series of seriesNames) {
  const loaded = await loadBenchmarkSeries(ecg, series);
  const labels = loaded.test.labels!;
  const original = args.only === 'anomalab' ? [] : seeds.map((s) => originalRun(series, s, labels));
  const ours = args.only === 'original' ? [] : anomalabSeeds.map((s) => anomalabRun(series, s));
  for (const [lead, c] of [['lead1', 0], ['lead2', 1]] as const) {
    const o = original.map((r) => r.f1[c]!);
    const a = ours.map((r) => r.f1[c]!);
    const bar = o.length ? mean(o) - std(o) : NaN;
    if (o.length > 3 || a.length > 3) spreadRows.push(spreadRow(`ecg/${series} ${lead}`, o, a));
    const pairs = anomalabSeeds.flatMap((seed, k) => (seeds.includes(seed) && original.length ? [[o[seeds.indexOf(seed)]!, a[k]!] as [number, number]] : []));
    if (pairs.length > 3) pairedRows.push(pairedRow(`ecg/${series} ${lead}`, pairs));
    const cell = (xs: number[]) => (xs.length ? `${xs.map(f3).join(' / ')} (mean ${f3(mean(xs))}${xs.length > 1 ? `, sd ${f3(std(xs))}` : ''})` : '–');
    const verdict = o.length && a.length ? (mean(a) >= bar ? 'yes' : 'no') : '–';
    const at = [...new Set(ours.map((r) => r.commit))].join(', ');
    rows.push(`| ecg/${series} ${lead} | ${cell(o)} | ${cell(a)}${at ? ` (at ${at})` : ''} | ${o.length ? f3(bar) : '–'} | ${verdict} |`);
    report.push({ series, lead, original: o, anomalab: a, bar, commits: [...new Set(ours.map((r) => r.commit))] });
  }
  const cpu = original.map((r) => r.cpuSeconds ?? 0);
  if (cpu.length) console.error(`${series}: original training CPU ${cpu.map((x) => x.toFixed(0)).join(' / ')} s; anomalab run wall ${ours.map((r) => r.wallSeconds?.toFixed(0)).join(' / ')} s`);
}
const commits = [...new Set(report.flatMap((r) => r.commits as string[]))];
console.log(`Oracle F1 per lead, seeds ${seeds.join(' / ')}${anomalabSeeds.join() !== seeds.join() ? ` (anomalab: ${anomalabSeeds.join(' / ')})` : ''}, ${epochs} epochs, dropout and noise on (anomalab at ${commits.join(', ') || '–'}${args.set.length ? `, --set ${args.set.join(' ')}` : ''}):\n`);
console.log('| series | PyTorch original | anomalab rnn | original mean - sd | anomalab mean >= it |');
console.log('|---|---|---|---|---|');
for (const row of rows) console.log(row);
if (spreadRows.length) {
  console.log(`\nOver all seeds (original ${seeds.join(',')}; anomalab ${anomalabSeeds.join(',')}): means, the permutation test of the difference, and how many 3-seed means of the seeds after the first three reach the bar of the original's first three:\n`);
  console.log("| series | original n: mean (sd) | anomalab n: mean (sd) | difference | permutation p | bar (original's first 3: mean - sd) | original's other triples reaching it | anomalab's other triples reaching it |");
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of spreadRows) console.log(row);
}
if (pairedRows.length) {
  console.log(`\nSeed for seed (the seeds both sides ran): anomalab's F1 minus the original's of the same seed, and the correlation of the two across seeds:\n`);
  console.log('| series | seeds | difference: mean (sd) | largest \\|difference\\| | correlation r |');
  console.log('|---|---|---|---|---|');
  for (const row of pairedRows) console.log(row);
}
if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2));
