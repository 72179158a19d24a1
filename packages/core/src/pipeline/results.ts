import type { DetectorScores } from '../contracts/detector.ts';
import type { Forecast } from '../contracts/model-plugin.ts';
import type { Split } from '../contracts/series.ts';
import type { ChannelMetrics } from '../evaluation/channel-metrics.ts';
import { evaluateChannel, type EvaluationSettings, type EventDetail } from '../evaluation/evaluate-channel.ts';
import type { ChannelStats } from './standardize.ts';
import type { SelectedEvaluator } from '../contracts/evaluator.ts';
import { channelOf } from '../contracts/series.ts';
import { RUN_FILES } from '../run-store/run-layout.ts';
import { packArrays, SERIES_FORMAT, type SeriesEntry, type SeriesIndex } from './series-files.ts';

/** One channel's (or the joint score's) entry in results.json. */
export interface ChannelResults {
  /** Channel name, or `joint`. */
  channel: string;
  metrics: ChannelMetrics;
  /** Labelled ranges (detected or not, with delay) and false-alarm runs, per threshold; row indices of the split. */
  events: { deployable: EventDetail | null; oracle: EventDetail | null };
}

/**
 * results.json of a run (and of a scoring result). `channels[i].metrics` has the same
 * shape as run.json `metrics[<channel>]`.
 */
export interface RunResults {
  format: 'anomalab-results/2';
  /** `<dataset>/<series>` that was scored. */
  dataset: string;
  labelled: boolean;
  /** Which split was scored and where it starts in the source file (row = offset + index). */
  split: 'test' | 'train';
  offset: number;
  rows: number;
  window: number;
  /** Weights that scored: `final` (the reference) or `best` (validation). */
  weights: 'final' | 'best';
  /** Epoch of the weights that scored. */
  scoredEpoch: number;
  /**
   * Detector facts, e.g. the ridge added to a singular covariance per channel and joint;
   * `{ none: ... }` for models that score rows themselves.
   */
  detector: Record<string, unknown>;
  /** Facts from a model that scores rows itself (`DirectScores.details`, e.g. its discords), when it gave any. */
  model?: Record<string, unknown>;
  evaluation: EvaluationSettings;
  channels: ChannelResults[];
  joint: ChannelResults | null;
  /** Train-split mean/std every channel was standardised with. */
  standardization: ChannelStats;
  /** When this scored a series with another run's checkpoint: the run. */
  scoredWith?: { run: string; dataset: string };
  /** Dataset caveats (e.g. unofficial labels). */
  notes: string[];
}

export interface ScoredSplit {
  split: Split;
  splitName: 'test' | 'train';
  channelNames: string[];
  scores: DetectorScores;
  /** Train scores for the deployable threshold (a run), or... */
  trainScores?: DetectorScores;
  /** ...thresholds fixed by the run whose checkpoint scored (scoring another series). */
  fixedThresholds?: { channels: (number | null)[]; joint: number | null; protocol: string };
  forecast?: Forecast;
  firstValid: number;
}

/** Evaluate every channel and the joint score; unlabelled splits get scores-only entries. */
export function evaluateScores(input: ScoredSplit, settings: EvaluationSettings, evaluators: SelectedEvaluator[] = []) {
  const { split } = input;
  const labels = split.labels;
  const fixed = (t: number | null | undefined) => (t === null || t === undefined || !input.fixedThresholds ? undefined : { threshold: t, protocol: input.fixedThresholds.protocol });
  const source = (channel: string) => ({ channel, split: input.splitName, offset: split.offset });
  const channels = input.scores.channels.map((scores, c) =>
    evaluateChannel(
      { scores, labels, trainScores: input.trainScores?.channels[c], fixedThreshold: fixed(input.fixedThresholds?.channels[c]), firstValid: input.firstValid, values: channelOf(split, c), source: source(input.channelNames[c] ?? `channel ${c}`) },
      settings,
      evaluators,
    ),
  );
  // The joint score's series values: the first channel's (as TSB-AD for multivariate series).
  const joint = input.scores.joint
    ? evaluateChannel(
        { scores: input.scores.joint, labels, trainScores: input.trainScores?.joint, fixedThreshold: fixed(input.fixedThresholds?.joint), firstValid: input.firstValid, values: channelOf(split, 0), source: source('joint') },
        settings,
        evaluators,
      )
    : null;
  return { channels, joint };
}

/** The run.json `metrics`: `{ "<channel name>" | "joint": ChannelMetrics }`. */
export function headlineMetrics(results: RunResults): Record<string, ChannelMetrics> {
  const out: Record<string, ChannelMetrics> = {};
  for (const ch of [...results.channels, ...(results.joint ? [results.joint] : [])]) out[ch.channel] = ch.metrics;
  return out;
}

/** Build the series/ files (index + one float32 file per channel and joint). */
export function buildSeriesFiles(input: ScoredSplit, curves: { channels: Record<string, number[]>[]; joint: Record<string, number[]> | null }, window: number): { index: SeriesIndex; files: Record<string, Uint8Array> } {
  const { split, forecast } = input;
  const C = split.channels;
  const rows = split.rows;
  const files: Record<string, Uint8Array> = {};
  const entries: SeriesEntry[] = [];
  const label = split.labels ? Float32Array.from(split.labels) : undefined;
  const curveArrays = (c: Record<string, number[]>) => Object.fromEntries(Object.entries(c).map(([k, v]) => [`curve.${k}`, v]));
  input.channelNames.forEach((name, c) => {
    const arrays: Record<string, ArrayLike<number>> = {};
    const target = new Float32Array(rows);
    for (let t = 0; t < rows; t++) target[t] = split.values[t * C + c]!;
    arrays.target = target;
    if (forecast) {
      const H = forecast.horizon;
      const at = (t: number, k: number) => forecast.values[((t - k) * H + (k - 1)) * C + c]!;
      const p1 = new Float32Array(rows).fill(NaN);
      const pW = new Float32Array(rows).fill(NaN);
      const mean = new Float32Array(rows).fill(NaN);
      for (let t = 1; t < rows; t++) p1[t] = at(t, 1);
      for (let t = window; t < rows; t++) {
        pW[t] = at(t, window);
        let sum = 0;
        for (let k = 1; k <= window; k++) sum += at(t, k);
        mean[t] = sum / window;
      }
      arrays.prediction1 = p1;
      arrays.predictionW = pW;
      arrays.predictionMean = mean;
    }
    arrays.score = input.scores.channels[c]!;
    if (label) arrays.label = label;
    Object.assign(arrays, curveArrays(curves.channels[c] ?? {}));
    const file = `channel-${c}.f32`;
    const { bytes, table } = packArrays(arrays);
    files[file] = bytes;
    entries.push({ name, kind: 'channel', file, arrays: table });
  });
  if (input.scores.joint) {
    const arrays: Record<string, ArrayLike<number>> = { score: input.scores.joint };
    if (label) arrays.label = label;
    Object.assign(arrays, curveArrays(curves.joint ?? {}));
    const { bytes, table } = packArrays(arrays);
    files['joint.f32'] = bytes;
    entries.push({ name: 'joint', kind: 'joint', file: 'joint.f32', arrays: table });
  }
  return {
    index: {
      format: SERIES_FORMAT,
      dtype: 'float32',
      byteOrder: 'little',
      missing: 'NaN',
      split: input.splitName,
      offset: split.offset,
      rows,
      window,
      units: "standardised with the train split's mean and std",
      entries,
    },
    files,
  };
}

/** Write results.json and series/ through `write` (atomic per file). */
export async function writeResults(
  write: (relativePath: string, content: unknown) => Promise<void>,
  results: RunResults,
  series: { index: SeriesIndex; files: Record<string, Uint8Array> },
): Promise<void> {
  // Binary files first and the index last, so a complete index never points at missing files.
  for (const [file, bytes] of Object.entries(series.files)) await write(`${RUN_FILES.series}/${file}`, bytes);
  await write(RUN_FILES.seriesIndex, series.index);
  await write(RUN_FILES.results, results);
}

/**
 * Facts about the data users should see next to metrics: the dataset's label caveat
 * (e.g. unofficial labels), warnings (e.g. anomalies in the train split) and caveats.
 */
export function datasetNotes(loaded: { labelled: boolean; metadata: Record<string, unknown> }): string[] {
  const notes: string[] = [];
  const { labels, warning, caveat } = loaded.metadata;
  if (loaded.labelled && typeof labels === 'string') notes.push(`labels: ${labels}`);
  for (const v of [warning, caveat]) if (typeof v === 'string') notes.push(v);
  return notes;
}
