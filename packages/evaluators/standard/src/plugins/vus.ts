import type { EvaluatorInput, EvaluatorOutput, EvaluatorPlugin } from '@anomalab/core';
import { rangeAucVolume, vusDegeneracy } from '../metrics/vus.ts';
import { medianRangeLength, seriesPeriod, type WindowRule } from '../metrics/window.ts';

export interface VusOptions {
  /** Maximum buffer window: `period` (TSB-AD), `median-range` (TimeEval's buffer) or a number of rows. */
  window: WindowRule | number;
  /** Thresholds per window (TSB-AD: 250). */
  thresholds: number;
  /** Buffer of the single range-AUC-PR/ROC; default: the VUS window. */
  buffer?: number;
}

/** The window to use and how it was chosen. */
function chooseWindow(input: EvaluatorInput, rule: VusOptions['window'], notes: string[]): { window: number; windowRule: string } {
  if (typeof rule === 'number') return { window: rule, windowRule: 'fixed' };
  // TSB-AD's find_length_rank on the series values (the first channel's for the joint score).
  if (rule === 'period' && input.values) return { window: seriesPeriod(input.values), windowRule: 'period' };
  if (rule === 'period') notes.push('no series values for the period rule: window = the median labelled range length');
  return { window: medianRangeLength(input.labels), windowRule: 'median-range' };
}

export const vusEvaluator: EvaluatorPlugin<VusOptions> = {
  kind: 'evaluator',
  name: 'vus',
  description: 'VUS-PR / VUS-ROC (volume under the range-AUC surface over buffer windows 0..w) and range-AUC-PR/ROC at one buffer; threshold-free',
  reference: 'Paparrizos et al., VLDB 2022; computed as TheDatumOrg/TSB-AD basic_metricor.RangeAUC_volume_opt',
  metrics: [
    { key: 'vus-pr', label: 'VUS-PR', description: 'mean range-AUC-PR over buffer windows 0..w (TSB-AD\'s headline metric)', thresholded: false },
    { key: 'vus-roc', label: 'VUS-ROC', description: 'mean range-AUC-ROC over buffer windows 0..w', thresholded: false },
    { key: 'range-auc-pr', label: 'R-AUC-PR', description: 'range-AUC-PR at the buffer (default: the VUS window)', thresholded: false },
    { key: 'range-auc-roc', label: 'R-AUC-ROC', description: 'range-AUC-ROC at the buffer (default: the VUS window)', thresholded: false },
  ],
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      window: {
        default: 'period',
        description: 'Maximum buffer window: `period` (the series period as TSB-AD), `median-range` (the median labelled range length) or a number of rows.',
        anyOf: [{ type: 'string', enum: ['period', 'median-range'] }, { type: 'integer', minimum: 0, maximum: 10000 }],
      },
      thresholds: { type: 'integer', minimum: 2, maximum: 10000, default: 250, description: 'Thresholds per window (TSB-AD: 250).' },
      buffer: { type: 'integer', minimum: 0, maximum: 10000, description: 'Buffer of range-AUC-PR/ROC; default: the VUS window.' },
    },
  },
  evaluate(input, options): EvaluatorOutput {
    const notes: string[] = [];
    const degenerate = vusDegeneracy(input.labels);
    if (degenerate) return { metrics: { 'vus-pr': null, 'vus-roc': null, 'range-auc-pr': null, 'range-auc-roc': null }, notes: [`VUS undefined: ${degenerate}`] };
    const { window, windowRule } = chooseWindow(input, options.window ?? 'period', notes);
    const buffer = options.buffer ?? window;
    const thresholds = options.thresholds ?? 250;
    const volume = rangeAucVolume(input.scores, input.labels, Math.max(window, buffer), thresholds);
    const vus = window === volume.perWindow.length - 1 ? volume : { ...volume, perWindow: volume.perWindow.slice(0, window + 1) };
    const mean = (key: 'rangeAucPr' | 'rangeAucRoc') => vus.perWindow.reduce((s, p) => s + p[key], 0) / vus.perWindow.length;
    const atBuffer = volume.perWindow[buffer]!;
    return {
      metrics: { 'vus-pr': mean('rangeAucPr'), 'vus-roc': mean('rangeAucRoc'), 'range-auc-pr': atBuffer.rangeAucPr, 'range-auc-roc': atBuffer.rangeAucRoc },
      parameters: { window, windowRule, buffer, thresholds },
      curves: {
        window: vus.perWindow.map((p) => p.window),
        rangeAucPr: vus.perWindow.map((p) => p.rangeAucPr),
        rangeAucRoc: vus.perWindow.map((p) => p.rangeAucRoc),
      },
      notes,
    };
  },
};
