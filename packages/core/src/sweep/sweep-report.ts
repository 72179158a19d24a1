import { readFile } from 'node:fs/promises';
import { AnomalabError } from '../errors.ts';
import type { RunStore, RunSummary } from '../contracts/run-store.ts';
import type { ChannelMetrics } from '../evaluation/channel-metrics.ts';
import type { SelectedEvaluator } from '../contracts/evaluator.ts';
import type { PluginRegistry } from '../plugins/registry.ts';
import { resolveEvaluators } from '../evaluation/select-evaluators.ts';
import { DEFAULT_RANK_METRIC, metricValue, ranksOf, type MetricKey } from '../evaluation/metric-keys.ts';
import { evaluateChannel, type EvaluationSettings } from '../evaluation/evaluate-channel.ts';
import { describeRule } from '../evaluation/deployable-threshold.ts';
import { readSeriesFolder } from '../pipeline/series-files.ts';
import { SeededRandom } from '../random.ts';
import { runPaths, sweepPaths } from '../run-store/run-layout.ts';
import type { SweepEntry } from './expand-matrix.ts';

export interface Stat {
  mean: number | null;
  std: number | null;
  /** Values that went into it (null metrics are left out). */
  n: number;
}

/**
 * The report's columns (metric keys, see metric-keys.ts), threshold-free first; columns no
 * run has are left out. PA%K values sit right after point F1 at the same threshold.
 */
export const REPORT_METRICS: MetricKey[] = [
  'vus-pr', 'vus-roc', 'auc-pr', 'auc-roc', 'range-auc-pr',
  'f1@oracle', 'pa0-f1@oracle', 'pa-auc@oracle', 'range-f1@oracle', 'affiliation-f1@oracle',
  'f1@deployable', 'pa0-f1@deployable', 'pa-auc@deployable', 'range-f1@deployable', 'affiliation-f1@deployable',
];
export type ReportMetric = MetricKey;

/** Column labels of the metric keys (unknown keys are shown as they are). */
export const METRIC_LABELS: Record<string, string> = {
  'vus-pr': 'VUS-PR', 'vus-roc': 'VUS-ROC', 'auc-pr': 'AUC-PR', 'auc-roc': 'AUC-ROC', 'range-auc-pr': 'R-AUC-PR', 'range-auc-roc': 'R-AUC-ROC',
  'f1@oracle': 'F1 (oracle)', 'pa0-f1@oracle': 'F1-PA%0 (oracle)', 'pa-auc@oracle': 'AUC-PA%K (oracle)', 'range-f1@oracle': 'R-F1 (oracle)', 'affiliation-f1@oracle': 'Aff-F1 (oracle)',
  'f1@deployable': 'F1 (deployable)', 'pa0-f1@deployable': 'F1-PA%0 (deployable)', 'pa-auc@deployable': 'AUC-PA%K (deployable)', 'range-f1@deployable': 'R-F1 (deployable)', 'affiliation-f1@deployable': 'Aff-F1 (deployable)',
};

export interface ModelRank {
  model: string;
  /** Mean of the model's ranks over the series x channel groups it has a value in (1 = best). */
  meanRank: number;
  /** How many ranks went into it. */
  n: number;
}

export interface ReportRow {
  series: string;
  /** Model variant label (the matrix's model label), or `random` for the random-score row. */
  model: string;
  /** Channel name or `joint`. */
  channel: string;
  kind: 'model' | 'random';
  runs: string[];
  seeds: number[];
  metrics: Record<ReportMetric, Stat>;
  /** Which metrics are the best model value for this series and channel. */
  best: Partial<Record<ReportMetric, boolean>>;
  /** Rank among the model rows of this series and channel by the report's `rankBy` metric (1 = best; ties share). */
  rank: number | null;
}

export interface SweepReport {
  sweep: string;
  name: string;
  /** The metric rows are ranked by (default `vus-pr`). */
  rankBy: MetricKey;
  /** The metric columns present (a subset of REPORT_METRICS, plus `rankBy`). */
  columns: MetricKey[];
  /** Display label of each column. */
  labels: Record<MetricKey, string>;
  rows: ReportRow[];
  /** Each model's mean rank over series (and channels), best first. */
  ranking: ModelRank[];
  protocol: string[];
  missing: { runId: string; status: string; labels: Record<string, string> }[];
}

interface SweepManifest {
  id: string;
  name: string;
  axes: string[];
  entries: Omit<SweepEntry, 'config'>[];
}

/** Mean and sample standard deviation (n - 1) of the non-null values. */
export function stat(values: (number | null | undefined)[]): Stat {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (!xs.length) return { mean: null, std: null, n: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : null;
  return { mean, std, n: xs.length };
}

function pick(m: ChannelMetrics | undefined, keys: MetricKey[]): Record<ReportMetric, number | null> {
  return Object.fromEntries(keys.map((k) => [k, metricValue(m, k)]));
}

function stats(values: Record<ReportMetric, number | null>[], keys: MetricKey[]): Record<ReportMetric, Stat> {
  return Object.fromEntries(keys.map((k) => [k, stat(values.map((v) => v[k]))]));
}

/** Label of a run's model variant: every axis label except dataset and seed. */
function variantOf(entry: Omit<SweepEntry, 'config'>, run: RunSummary): string {
  const parts = Object.entries(entry.labels)
    .filter(([axis]) => axis !== 'dataset' && axis !== 'seed')
    .map(([, label]) => label);
  return parts.length ? parts.join(' / ') : run.model;
}

/**
 * Random scores (seeded uniform) evaluated against a series' labels exactly like a model's,
 * so metrics that any scorer reaches by chance (e.g. AUC-PR ~ the anomaly fraction) are
 * visible next to the real rows.
 */
async function randomRows(run: RunSummary, seeds: number[], settings: EvaluationSettings, evaluators: SelectedEvaluator[], keys: MetricKey[]): Promise<ReportRow[]> {
  const { index, entries } = await readSeriesFolder(runPaths(run.dir).series);
  const rows: ReportRow[] = [];
  for (const entry of index.entries) {
    const label = entries[entry.name]!.label;
    if (!label) continue;
    const labels = Uint8Array.from(label);
    // Series values for evaluators that need them (the VUS period): the channel's, or the first channel's for joint.
    const target = entries[entry.name]!.target ?? entries[index.entries[0]!.name]!.target;
    const values = target ? Float32Array.from(target) : undefined;
    const perSeed = seeds.map((seed) => {
      const random = new SeededRandom(seed).fork(`random-baseline/${run.dataset}/${entry.name}`);
      // Uniform in [1, 1000): the reference's threshold sweep starts at 1, so scores below it would leave it empty.
      const draw = () => Float32Array.from({ length: labels.length }, (_, t) => (t < index.window ? 0 : 1 + 999 * random.uniform()));
      const scores = draw();
      // Train scores of the same length, drawn the same way: the deployable rule sees what it would see.
      const trainScores = draw();
      return pick(evaluateChannel({ scores, labels, trainScores, firstValid: index.window, values, source: { channel: entry.name, split: 'random' } }, settings, evaluators).metrics, keys);
    });
    rows.push({
      series: run.dataset,
      model: 'random',
      channel: entry.name,
      kind: 'random',
      runs: [],
      seeds,
      metrics: stats(perSeed, keys),
      best: {},
      rank: null,
    });
  }
  return rows;
}

export interface SweepReportOptions {
  /** Metric key to rank by (default `vus-pr`). */
  rankBy?: MetricKey;
  /** To evaluate the random rows with the runs' evaluators (VUS etc.); without it they get the core metrics only. */
  registry?: PluginRegistry;
}

/**
 * One row per series x model variant x channel, mean ± std over seeds, plus random rows;
 * model rows ranked per series and channel by `rankBy`, and each model's mean rank.
 */
export async function buildSweepReport(runStore: RunStore, sweepId: string, options: SweepReportOptions = {}): Promise<SweepReport> {
  let rankBy = options.rankBy ?? DEFAULT_RANK_METRIC;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(sweepId)) throw new AnomalabError('ANOMALAB_USAGE', `invalid sweep id ${JSON.stringify(sweepId)}`);
  let manifest: SweepManifest;
  try {
    manifest = JSON.parse(await readFile(sweepPaths(runStore.root, sweepId).manifest, 'utf8'));
  } catch {
    throw new AnomalabError('ANOMALAB_RUN_NOT_FOUND', `no sweep ${JSON.stringify(sweepId)} in ${runStore.root} (its id is printed when the sweep starts)`);
  }
  const groups = new Map<string, { series: string; model: string; runs: RunSummary[]; seeds: number[] }>();
  const missing: SweepReport['missing'] = [];
  const configs = new Map<string, Record<string, any>>();
  for (const entry of manifest.entries) {
    const run = await runStore.get(entry.runId).catch(() => undefined);
    if (!run || run.status !== 'completed') {
      missing.push({ runId: entry.runId, status: run?.status ?? 'not started', labels: entry.labels });
      continue;
    }
    const model = variantOf(entry, run);
    const key = `${run.dataset}\u0000${model}`;
    const group = groups.get(key) ?? { series: run.dataset, model, runs: [], seeds: [] };
    group.runs.push(run);
    group.seeds.push(run.seed);
    groups.set(key, group);
    configs.set(run.id, (await runStore.readConfig<Record<string, any>>(run.id)) ?? {});
  }

  // Columns: the report metrics any run has, plus the ranking metric.
  const present = new Set<MetricKey>();
  for (const g of groups.values()) for (const r of g.runs) for (const m of Object.values((r.metrics ?? {}) as Record<string, ChannelMetrics>)) for (const k of [...REPORT_METRICS, rankBy]) if (metricValue(m, k) !== null) present.add(k);
  // Sweeps run before evaluators existed have no VUS-PR: the default ranking falls back to AUC-PR.
  if (options.rankBy === undefined && !present.has(rankBy) && present.has('auc-pr')) rankBy = 'auc-pr';
  if (groups.size && !present.has(rankBy)) {
    throw new AnomalabError('ANOMALAB_USAGE', `no run of sweep ${sweepId} has metric "${rankBy}"; metrics: ${[...present].join(', ') || '(none)'} (see anomalab evaluators list)`);
  }
  const columns = [...REPORT_METRICS.filter((k) => present.has(k)), ...(REPORT_METRICS.includes(rankBy) ? [] : [rankBy])];

  const rows: ReportRow[] = [];
  for (const group of groups.values()) {
    const channels = [...new Set(group.runs.flatMap((r) => Object.keys(r.metrics ?? {})))];
    for (const channel of channels) {
      const values = group.runs.map((r) => pick((r.metrics as Record<string, ChannelMetrics> | undefined)?.[channel], columns));
      rows.push({
        series: group.series,
        model: group.model,
        channel,
        kind: 'model',
        runs: group.runs.map((r) => r.id),
        seeds: group.seeds,
        metrics: stats(values, columns),
        best: {},
        rank: null,
      });
    }
  }

  // Random-score rows: one per series, evaluated with that series' first run's settings.
  const seriesDone = new Set<string>();
  for (const group of groups.values()) {
    if (seriesDone.has(group.series)) continue;
    seriesDone.add(group.series);
    const run = group.runs[0]!;
    const evaluation = configs.get(run.id)?.evaluation ?? {};
    const settings: EvaluationSettings = { beta: evaluation.beta ?? 1, threshold: evaluation.threshold ?? { method: 'max-train' } };
    const seeds = [...new Set([...groups.values()].filter((g) => g.series === group.series).flatMap((g) => g.seeds))].sort((a, b) => a - b);
    let evaluators: SelectedEvaluator[] = [];
    const random = async () => {
      if (options.registry) evaluators = resolveEvaluators(options.registry, evaluation.metrics);
      return randomRows(run, seeds, settings, evaluators, columns);
    };
    rows.push(...(await random().catch(() => [])));
  }

  // Rank the model rows of each series and channel; a model's mean rank over them.
  const byGroup = new Map<string, ReportRow[]>();
  for (const row of rows) if (row.kind === 'model') byGroup.set(`${row.series}\u0000${row.channel}`, [...(byGroup.get(`${row.series}\u0000${row.channel}`) ?? []), row]);
  for (const list of byGroup.values()) ranksOf(list.map((r) => r.metrics[rankBy]!.mean)).forEach((rank, i) => (list[i]!.rank = rank));
  const ranksByModel = new Map<string, number[]>();
  for (const row of rows) if (row.rank !== null) ranksByModel.set(row.model, [...(ranksByModel.get(row.model) ?? []), row.rank]);
  const ranking = [...ranksByModel.entries()]
    .map(([model, ranks]) => ({ model, meanRank: ranks.reduce((a, b) => a + b, 0) / ranks.length, n: ranks.length }))
    .sort((a, b) => a.meanRank - b.meanRank || a.model.localeCompare(b.model));

  // Mark the best model value per series, channel and metric.
  for (const metric of columns) {
    const bestOf = new Map<string, number>();
    for (const row of rows) {
      const v = row.metrics[metric].mean;
      if (row.kind !== 'model' || v === null) continue;
      const key = `${row.series}\u0000${row.channel}`;
      bestOf.set(key, Math.max(bestOf.get(key) ?? -Infinity, v));
    }
    for (const row of rows) {
      const best = bestOf.get(`${row.series}\u0000${row.channel}`);
      // Ties count; a best of 0 marks nothing.
      if (row.kind === 'model' && best && row.metrics[metric].mean === best) row.best[metric] = true;
    }
  }
  const channelOrder = (c: string) => (c === 'joint' ? 1 : 0);
  rows.sort(
    (a, b) =>
      a.series.localeCompare(b.series) ||
      channelOrder(a.channel) - channelOrder(b.channel) ||
      a.channel.localeCompare(b.channel) ||
      (a.kind === 'random' ? 1 : 0) - (b.kind === 'random' ? 1 : 0) ||
      (a.rank ?? Infinity) - (b.rank ?? Infinity) ||
      a.model.localeCompare(b.model),
  );

  // Protocol footer, from the configs actually used.
  const all = [...configs.values()];
  const distinct = (f: (c: Record<string, any>) => unknown) => [...new Set(all.map((c) => JSON.stringify(f(c))))].map((s) => (s === undefined ? 'n/a' : JSON.parse(s)));
  const epochsByModel = [...groups.values()].map((g) => `${g.model}: ${[...new Set(g.runs.map((r) => configs.get(r.id)?.training?.epochs))].join('/')}`);
  const rules = distinct((c) => c.evaluation?.threshold ?? { method: 'max-train' }).map((r) => describeRule(r));
  const vusWindows = [...new Set([...groups.values()].flatMap((g) => g.runs.flatMap((r) => Object.values((r.metrics ?? {}) as Record<string, ChannelMetrics>).map((m) => m.evaluators?.vus?.parameters?.windowRule)).filter(Boolean)))];
  const protocol = [
    `Ranked by ${METRIC_LABELS[rankBy] ?? rankBy} (mean over seeds) among the models of each series and channel; mean rank: each model's mean over those ranks (1 = best, ties share).`,
    'Benchmark labels are the community\'s unofficial labels (made by non-experts from the papers that use these series).',
    ...(present.has('vus-pr') || present.has('vus-roc')
      ? [`VUS-PR / VUS-ROC: volume under the range-AUC surface over buffer windows 0..w, 250 thresholds (TSB-AD RangeAUC_volume_opt); window: ${vusWindows.join('; ') || 'see results.json'}. R-AUC-PR: range-AUC-PR at that window.`]
      : []),
    ...(columns.some((k) => k.endsWith('@oracle') && k !== 'f1@oracle')
      ? ['Thresholded metrics (F1, F1-PA%K, range-based F1, affiliation F1) are given at the oracle threshold (best point F1 on the test labels: optimistic) and at the deployable one (no test labels). F1-PA%0 is point-adjusted F1, which flatters every detector: read it only next to point F1.']
      : []),
    `Oracle F1: best F1 over 1000 log-spaced thresholds in [1, max score], threshold chosen on the test labels (optimistic upper bound).`,
    `Deployable F1: ${rules.join('; ')}.`,
    'AUC-PR: average precision over all thresholds (threshold-free).',
    `Prediction window W: ${distinct((c) => c.detector?.window).join(', ')}; scored with ${distinct((c) => c.detector?.weights).join(', ')} weights.`,
    `Epochs: ${[...new Set(epochsByModel)].join('; ')}.`,
    `Seeds: ${[...new Set(all.map((c) => c.seed))].sort((a, b) => a - b).join(', ')}; values are mean ± sample std over seeds (std omitted with one seed).`,
    'random: seeded uniform random scores in [1, 1000), evaluated the same way (one draw per seed), so chance-level values are visible.',
  ];
  if (missing.length) protocol.push(`${missing.length} of ${manifest.entries.length} runs are not completed and are left out.`);
  const labels = Object.fromEntries(columns.map((k) => [k, METRIC_LABELS[k] ?? k]));
  return { sweep: manifest.id, name: manifest.name, rankBy, columns, labels, rows, ranking, protocol, missing };
}
