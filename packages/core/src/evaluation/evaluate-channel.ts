import type { EventEvaluation, RowRange } from './events.ts';
import { evaluateEvents } from './events.ts';
import { averagePrecision } from './average-precision.ts';
import { rocAuc } from './roc-auc.ts';
import { ORACLE_PROTOCOL, oracleSweep, type OracleSweep } from './oracle-threshold.ts';
import { deployableThreshold, describeRule, type ThresholdRule } from './deployable-threshold.ts';
import { countAt, pointScores } from './point-metrics.ts';
import type { ChannelMetrics, EventCounts } from './channel-metrics.ts';
import type { EvaluatorThreshold, SelectedEvaluator } from '../contracts/evaluator.ts';
import { runEvaluators } from './run-evaluators.ts';
import { assertFiniteScores } from './finite-scores.ts';

export interface EvaluationSettings {
  beta: number;
  threshold: ThresholdRule;
}

export interface ChannelEvaluationInput {
  /** Scores of the evaluated split (rows before `firstValid` are unscored). */
  scores: Float32Array;
  /** 0/1 labels of the evaluated split; undefined for unlabelled series. */
  labels?: Uint8Array;
  /** Train-split scores, for the deployable threshold... */
  trainScores?: Float32Array;
  /** ...or a deployable threshold fixed beforehand (scoring another series with a run). */
  fixedThreshold?: { threshold: number; protocol: string };
  firstValid: number;
  /** The channel's values on the same rows (evaluators may use them, e.g. for the series period). */
  values?: Float32Array;
  /** Where the scores come from, for errors: channel name (or `joint`), split and its first file row. */
  source?: { channel: string; split: string; offset?: number; trainOffset?: number };
}

/** Event details kept in results.json (the counts go into the metrics). */
export interface EventDetail {
  threshold: number;
  ranges: EventEvaluation['ranges'];
  falseAlarms: RowRange[];
}

export interface ChannelEvaluation {
  metrics: ChannelMetrics;
  /** P/R/F vs threshold from the oracle sweep, plus evaluators' curves as `<evaluator>.<name>` (for plots). */
  curves: OracleSweep['curves'] & Record<string, number[]>;
  events: { deployable: EventDetail | null; oracle: EventDetail | null };
}

function eventCounts(e: EventEvaluation): EventCounts {
  const detected = e.ranges.filter((r) => r.detected).length;
  return {
    threshold: e.threshold,
    ranges: e.ranges.length,
    detected,
    missed: e.ranges.length - detected,
    falseAlarms: e.falseAlarms.length,
    flaggedEvents: e.flaggedEvents,
    pointF1: e.point.f,
    pointAdjustedF1: e.pointAdjusted.f,
  };
}

/** True when every scored row has the same score. */
function constantScores(scores: Float32Array, from: number): boolean {
  for (let t = from + 1; t < scores.length; t++) if (scores[t] !== scores[from]) return false;
  return true;
}

/**
 * Every metric of one channel (or the joint score): oracle sweep, AUC-PR, AUC-ROC, the
 * deployable threshold's point metrics and event-level results at both thresholds.
 * Then the selected evaluator plugins, with the oracle and deployable thresholds.
 * Degenerate inputs (empty split, no labels, no anomalies, constant scores, no threshold
 * with P and R > 0) give null metrics and notes, never NaN. Non-finite scores are rejected
 * (an error naming the channel and row) before anything is ranked.
 */
export function evaluateChannel(input: ChannelEvaluationInput, settings: EvaluationSettings, evaluators: SelectedEvaluator[] = []): ChannelEvaluation {
  const { scores, labels, firstValid } = input;
  const source = input.source ?? { channel: 'score', split: 'test' };
  assertFiniteScores(scores, { channel: source.channel, split: source.split, offset: source.offset, firstValid });
  if (input.trainScores) assertFiniteScores(input.trainScores, { channel: source.channel, split: 'train', offset: source.trainOffset, firstValid });
  const beta = settings.beta;
  const notes: string[] = [];
  const scoredRows = Math.max(scores.length - firstValid, 0);
  let anomalousRows: number | null = null;
  if (labels) {
    anomalousRows = 0;
    for (let t = firstValid; t < labels.length; t++) anomalousRows += labels[t]!;
  }
  const empty = scoredRows === 0;
  const constant = !empty && constantScores(scores, firstValid);
  if (empty) notes.push('no scored rows (the split is not longer than the window W): no metrics');
  else if (!labels) notes.push('unlabelled series: only scores and the deployable threshold\'s flags, no metrics');
  else if (anomalousRows === 0) notes.push('no anomalous rows in the test labels: precision, recall, F and AUCs are undefined');
  if (constant) notes.push(`all ${scoredRows} scores are equal (${scores[firstValid]}): ranking and oracle metrics are undefined`);

  // Threshold-free metrics.
  let aucPr: number | null = null;
  let aucRoc: number | null = null;
  if (labels && !empty && anomalousRows! > 0 && !constant) {
    const ap = averagePrecision(scores, labels, firstValid);
    const roc = rocAuc(scores, labels, firstValid);
    aucPr = ap.value;
    aucRoc = roc.value;
    for (const n of [ap.note, roc.note]) if (n) notes.push(n);
  }

  // Oracle sweep (threshold chosen on test labels).
  let sweep: OracleSweep = { best: null, curves: { threshold: [], precision: [], recall: [], f: [] }, notes: [] };
  if (labels && !empty && anomalousRows! > 0 && !constant) {
    sweep = oracleSweep(scores, labels, firstValid, beta);
    notes.push(...sweep.notes.map((n) => `oracle: ${n}`));
  }
  const best = sweep.best;

  // Deployable threshold (no test labels).
  const rule = settings.threshold;
  const chosen = input.fixedThreshold ?? deployableThreshold(input.trainScores, firstValid, rule);
  if (!chosen) notes.push('deployable: no train scores, so no threshold');
  let flaggedRows: number | null = null;
  let deployPoint = { precision: null as number | null, recall: null as number | null, f: null as number | null, f1: null as number | null };
  if (chosen && !empty) {
    const counts = countAt(scores, labels ?? new Uint8Array(scores.length), chosen.threshold, firstValid);
    flaggedRows = counts.tp + counts.fp;
    if (labels && anomalousRows! > 0) {
      const s = pointScores(counts, beta);
      deployPoint = { ...s, f1: pointScores(counts, 1).f };
      if (flaggedRows === 0) notes.push('deployable: no test row is above the threshold, so precision is undefined (recall 0)');
    }
  }

  // Event-level results at each threshold that exists.
  const eventsAt = (threshold: number | undefined) =>
    labels && !empty && anomalousRows! > 0 && threshold !== undefined ? evaluateEvents(scores, labels, threshold, firstValid, 1) : null;
  const deployEvents = eventsAt(chosen?.threshold);
  const oracleEvents = eventsAt(best?.threshold);
  // Evaluator plugins (labelled series with anomalies only), at both thresholds that exist.
  let evaluated: ReturnType<typeof runEvaluators> = { entries: {}, curves: {} };
  if (evaluators.length && labels && !empty && anomalousRows! > 0) {
    const thresholds: EvaluatorThreshold[] = [];
    if (best) thresholds.push({ name: 'oracle', threshold: best.threshold, protocol: ORACLE_PROTOCOL });
    if (chosen) thresholds.push({ name: 'deployable', threshold: chosen.threshold, protocol: chosen.protocol });
    evaluated = runEvaluators(evaluators, { scores, labels, values: input.values, firstValid, thresholds });
  }

  const detail = (e: EventEvaluation | null): EventDetail | null => (e ? { threshold: e.threshold, ranges: e.ranges, falseAlarms: e.falseAlarms } : null);

  return {
    metrics: {
      oracle: {
        f1: best?.f1 ?? null,
        precision: best?.precision ?? null,
        recall: best?.recall ?? null,
        threshold: best?.threshold ?? null,
        beta,
        fBeta: best?.fBeta ?? null,
        protocol: ORACLE_PROTOCOL,
      },
      aucPr,
      aucRoc,
      deployable: {
        f1: deployPoint.f1,
        precision: deployPoint.precision,
        recall: deployPoint.recall,
        threshold: chosen?.threshold ?? null,
        method: rule.method,
        ...(rule.method === 'quantile' ? { quantile: rule.quantile } : {}),
        beta,
        fBeta: deployPoint.f,
        flaggedRows,
        protocol: chosen?.protocol ?? describeRule(rule),
      },
      events: { deployable: deployEvents && eventCounts(deployEvents), oracle: oracleEvents && eventCounts(oracleEvents) },
      evaluators: evaluated.entries,
      scoredRows,
      anomalousRows,
      notes,
    },
    curves: { ...sweep.curves, ...evaluated.curves },
    events: { deployable: detail(deployEvents), oracle: detail(oracleEvents) },
  };
}
