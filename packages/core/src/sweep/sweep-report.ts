import { readFile } from 'node:fs/promises';
import { AnomalabError } from '../errors.ts';
import type { RunStore, RunSummary } from '../contracts/run-store.ts';
import type { ChannelMetrics } from '../evaluation/channel-metrics.ts';
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

export const REPORT_METRICS = ['aucPr', 'oracleF1', 'deployableF1'] as const;
export type ReportMetric = (typeof REPORT_METRICS)[number];

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
}

export interface SweepReport {
  sweep: string;
  name: string;
  rows: ReportRow[];
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

function pick(m: ChannelMetrics | undefined): Record<ReportMetric, number | null> {
  return { aucPr: m?.aucPr ?? null, oracleF1: m?.oracle?.f1 ?? null, deployableF1: m?.deployable?.f1 ?? null };
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
async function randomRows(run: RunSummary, seeds: number[], settings: EvaluationSettings): Promise<ReportRow[]> {
  const { index, entries } = await readSeriesFolder(runPaths(run.dir).series);
  const rows: ReportRow[] = [];
  for (const entry of index.entries) {
    const label = entries[entry.name]!.label;
    if (!label) continue;
    const labels = Uint8Array.from(label);
    const perSeed = seeds.map((seed) => {
      const random = new SeededRandom(seed).fork(`random-baseline/${run.dataset}/${entry.name}`);
      // Uniform in [1, 1000): the reference's threshold sweep starts at 1, so scores below it would leave it empty.
      const draw = () => Float32Array.from({ length: labels.length }, (_, t) => (t < index.window ? 0 : 1 + 999 * random.uniform()));
      const scores = draw();
      // Train scores of the same length, drawn the same way: the deployable rule sees what it would see.
      const trainScores = draw();
      return pick(evaluateChannel({ scores, labels, trainScores, firstValid: index.window }, settings).metrics);
    });
    rows.push({
      series: run.dataset,
      model: 'random',
      channel: entry.name,
      kind: 'random',
      runs: [],
      seeds,
      metrics: { aucPr: stat(perSeed.map((m) => m.aucPr)), oracleF1: stat(perSeed.map((m) => m.oracleF1)), deployableF1: stat(perSeed.map((m) => m.deployableF1)) },
      best: {},
    });
  }
  return rows;
}

/** One row per series x model variant x channel, mean ± std over seeds, plus random rows. */
export async function buildSweepReport(runStore: RunStore, sweepId: string): Promise<SweepReport> {
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

  const rows: ReportRow[] = [];
  for (const group of groups.values()) {
    const channels = [...new Set(group.runs.flatMap((r) => Object.keys(r.metrics ?? {})))];
    for (const channel of channels) {
      const values = group.runs.map((r) => pick((r.metrics as Record<string, ChannelMetrics> | undefined)?.[channel]));
      rows.push({
        series: group.series,
        model: group.model,
        channel,
        kind: 'model',
        runs: group.runs.map((r) => r.id),
        seeds: group.seeds,
        metrics: { aucPr: stat(values.map((v) => v.aucPr)), oracleF1: stat(values.map((v) => v.oracleF1)), deployableF1: stat(values.map((v) => v.deployableF1)) },
        best: {},
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
    rows.push(...(await randomRows(run, seeds, settings).catch(() => [])));
  }

  // Mark the best model value per series, channel and metric.
  for (const metric of REPORT_METRICS) {
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
  rows.sort((a, b) => a.series.localeCompare(b.series) || channelOrder(a.channel) - channelOrder(b.channel) || a.channel.localeCompare(b.channel) || (a.kind === 'random' ? 1 : 0) - (b.kind === 'random' ? 1 : 0) || a.model.localeCompare(b.model));

  // Protocol footer, from the configs actually used.
  const all = [...configs.values()];
  const distinct = (f: (c: Record<string, any>) => unknown) => [...new Set(all.map((c) => JSON.stringify(f(c))))].map((s) => (s === undefined ? 'n/a' : JSON.parse(s)));
  const epochsByModel = [...groups.values()].map((g) => `${g.model}: ${[...new Set(g.runs.map((r) => configs.get(r.id)?.training?.epochs))].join('/')}`);
  const rules = distinct((c) => c.evaluation?.threshold ?? { method: 'max-train' }).map((r) => describeRule(r));
  const protocol = [
    'Benchmark labels are the community\'s unofficial labels (made by non-experts from the papers that use these series).',
    `Oracle F1: best F1 over 1000 log-spaced thresholds in [1, max score], threshold chosen on the test labels (optimistic upper bound).`,
    `Deployable F1: ${rules.join('; ')}.`,
    'AUC-PR: average precision over all thresholds (threshold-free).',
    `Prediction window W: ${distinct((c) => c.detector?.window).join(', ')}; scored with ${distinct((c) => c.detector?.weights).join(', ')} weights.`,
    `Epochs: ${[...new Set(epochsByModel)].join('; ')}.`,
    `Seeds: ${[...new Set(all.map((c) => c.seed))].sort((a, b) => a - b).join(', ')}; values are mean ± sample std over seeds (std omitted with one seed).`,
    'random: seeded uniform random scores in [1, 1000), evaluated the same way (one draw per seed), so chance-level values are visible.',
  ];
  if (missing.length) protocol.push(`${missing.length} of ${manifest.entries.length} runs are not completed and are left out.`);
  return { sweep: manifest.id, name: manifest.name, rows, protocol, missing };
}
