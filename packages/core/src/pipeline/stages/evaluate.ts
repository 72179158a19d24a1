import type { Logger } from '../../contracts/services.ts';
import type { SelectedEvaluator } from '../../contracts/evaluator.ts';
import type { EvaluationSettings } from '../../evaluation/evaluate-channel.ts';
import { buildSeriesFiles, evaluateScores, type ChannelResults, type RunResults, type ScoredSplit } from '../results.ts';
import type { SeriesIndex } from '../series-files.ts';
import { formatMetricsSummary } from '../summary.ts';

export interface EvaluatedSplit {
  /** results.json `channels` and `joint`. */
  channels: ChannelResults[];
  joint: ChannelResults | null;
  /** The series/ folder's files. */
  series: { index: SeriesIndex; files: Record<string, Uint8Array> };
}

/**
 * Evaluate stage: metrics and events per channel and joint (thresholds from train scores
 * or fixed by a trained run), the selected evaluator plugins, and the plot series. The
 * scores may come from any scorer (detector or a model that scores directly). An unlabelled split is evaluated
 * without labels (scores only).
 */
export function evaluateSplit(scored: ScoredSplit, how: { settings: EvaluationSettings; labelled: boolean; window: number; evaluators: SelectedEvaluator[] }): EvaluatedSplit {
  const evaluated = evaluateScores(how.labelled ? scored : { ...scored, split: { ...scored.split, labels: undefined } }, how.settings, how.evaluators);
  const names = scored.channelNames;
  return {
    channels: evaluated.channels.map((e, c) => ({ channel: names[c]!, metrics: e.metrics, events: e.events })),
    joint: evaluated.joint ? { channel: 'joint', metrics: evaluated.joint.metrics, events: evaluated.joint.events } : null,
    series: buildSeriesFiles(scored, { channels: evaluated.channels.map((e) => e.curves), joint: evaluated.joint?.curves ?? null }, how.window),
  };
}

/** Log the one-screen metrics summary and the dataset notes; returns the summary lines. */
export function reportResults(logger: Logger, results: RunResults): string[] {
  const summary = formatMetricsSummary(results);
  for (const line of summary) logger.info(line);
  for (const note of results.notes) logger.info(`  data: ${note}`);
  return summary;
}
