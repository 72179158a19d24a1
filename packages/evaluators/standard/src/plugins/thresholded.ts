import type { EvaluatorInput, EvaluatorOutput, EvaluatorPlugin } from '@anomalab/core';
import { flagAbove } from '../metrics/ranges.ts';
import { rangePrecisionRecall, type Cardinality, type PositionalBias } from '../metrics/range-pr.ts';
import { affiliationScores } from '../metrics/affiliation.ts';
import { paKScores } from '../metrics/pa-k.ts';

/** Thresholded metrics at each threshold the core provides (oracle, deployable); flags are `score > threshold`. */
function atEachThreshold(input: EvaluatorInput, metricsOf: (flags: Uint8Array) => Record<string, number | null>): EvaluatorOutput['atThreshold'] {
  const out: NonNullable<EvaluatorOutput['atThreshold']> = {};
  for (const t of input.thresholds) out[t.name] = metricsOf(flagAbove(input.scores, t.threshold));
  return out;
}

export interface RangePrOptions {
  alpha: number;
  cardinality: Cardinality;
  bias: PositionalBias;
}

export const rangePrEvaluator: EvaluatorPlugin<RangePrOptions> = {
  kind: 'evaluator',
  name: 'range-pr',
  description: 'range-based precision, recall and F1 at the oracle and deployable thresholds',
  reference: 'Tatbul et al., NeurIPS 2018; computed as prts ts_precision / ts_recall (TimeEval\'s RangePrecision / RangeRecall)',
  metrics: [
    { key: 'range-precision', label: 'R-P', description: 'range-based precision (alpha 0)', thresholded: true },
    { key: 'range-recall', label: 'R-R', description: 'range-based recall (existence weight alpha)', thresholded: true },
    { key: 'range-f1', label: 'R-F1', description: 'harmonic mean of range-based precision and recall', thresholded: true },
  ],
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      alpha: { type: 'number', minimum: 0, maximum: 1, default: 0, description: "Recall's weight of the existence reward (precision always uses 0)." },
      cardinality: { type: 'string', enum: ['reciprocal', 'one'], default: 'reciprocal', description: 'Overlap cardinality factor: 1/k for k overlapping ranges, or always 1.' },
      bias: { type: 'string', enum: ['flat', 'front', 'middle', 'back'], default: 'flat', description: 'Positional bias inside a range.' },
    },
  },
  evaluate(input, options) {
    return {
      atThreshold: atEachThreshold(input, (flags) => {
        const r = rangePrecisionRecall(input.labels, flags, options);
        return { 'range-precision': r.precision, 'range-recall': r.recall, 'range-f1': r.f1 };
      }),
      parameters: { alpha: options.alpha, cardinality: options.cardinality, bias: options.bias },
    };
  },
};

export const affiliationEvaluator: EvaluatorPlugin<Record<string, never>> = {
  kind: 'evaluator',
  name: 'affiliation',
  description: 'affiliation precision, recall and F1 at the oracle and deployable thresholds',
  reference: 'Huet et al., KDD 2022; computed as ahstat/affiliation-metrics-py pr_from_events over [0, n)',
  metrics: [
    { key: 'affiliation-precision', label: 'Aff-P', description: 'affiliation precision (null when nothing is flagged)', thresholded: true },
    { key: 'affiliation-recall', label: 'Aff-R', description: 'affiliation recall', thresholded: true },
    { key: 'affiliation-f1', label: 'Aff-F1', description: 'harmonic mean of affiliation precision and recall', thresholded: true },
  ],
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  evaluate(input) {
    const notes: string[] = [];
    const atThreshold = atEachThreshold(input, (flags) => {
      const r = affiliationScores(input.labels, flags);
      return { 'affiliation-precision': r.precision, 'affiliation-recall': r.recall, 'affiliation-f1': r.f1 };
    });
    for (const [name, m] of Object.entries(atThreshold ?? {})) if (m['affiliation-precision'] === null) notes.push(`${name}: nothing flagged, so affiliation precision and F1 are undefined`);
    return { atThreshold, notes };
  },
};

export interface PaKOptions {
  ks: number[];
}

export const paKEvaluator: EvaluatorPlugin<PaKOptions> = {
  kind: 'evaluator',
  name: 'pa-k',
  description: 'F1 after PA%K point adjustment (K = 0, 20, 50, 100) and its area over K = 0..100, at the oracle and deployable thresholds; shown only next to point F1',
  reference: 'Kim et al., AAAI 2022; computed as tuslkkk/tadpak pak',
  metrics: [
    ...[0, 20, 50, 100].map((k) => ({ key: `pa${k}-f1`, label: `F1-PA%${k}`, description: `F1 after PA%${k}${k === 0 ? ' (classic point adjustment: flatters every detector)' : k === 100 ? ' (= point F1)' : ''}`, thresholded: true, besidePointF1: true })),
    { key: 'pa-auc', label: 'AUC-PA%K', description: 'area under F1_PA%K over K = 0..100 (K scaled to [0, 1])', thresholded: true, besidePointF1: true },
  ],
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ks: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 100 }, default: [0, 20, 50, 100], uniqueItems: true, description: 'The K values (percent) to report F1-PA%K at.' },
    },
  },
  evaluate(input, options) {
    const ks = options.ks ?? [0, 20, 50, 100];
    return {
      atThreshold: atEachThreshold(input, (flags) => {
        const r = paKScores(input.labels, flags, ks);
        return { ...Object.fromEntries(ks.map((k) => [`pa${k}-f1`, r.f1[k]!])), 'pa-auc': r.auc };
      }),
      parameters: { ks },
    };
  },
};
