import type { EvaluatorOutput, EvaluatorThreshold, SelectedEvaluator } from '../contracts/evaluator.ts';

/** Thresholded metrics of one evaluator at one threshold. */
export interface EvaluatorAtThreshold {
  threshold: number;
  protocol: string;
  metrics: Record<string, number | null>;
}

/** One evaluator's entry in a channel's metrics (`metrics.<channel>.evaluators.<name>`). */
export interface EvaluatorEntry {
  /** Threshold-free metrics by key, e.g. `vus-pr`. */
  metrics: Record<string, number | null>;
  oracle: EvaluatorAtThreshold | null;
  deployable: EvaluatorAtThreshold | null;
  /** The parameters used, e.g. `{ window: 208, windowRule: 'period' }`. */
  parameters: Record<string, unknown>;
  notes: string[];
}

export interface EvaluatorsInput {
  scores: Float32Array;
  labels: Uint8Array;
  values?: Float32Array;
  /** Rows before this one are unscored and left out. */
  firstValid: number;
  thresholds: EvaluatorThreshold[];
}

/** Numbers only (NaN and infinities become null with a note), so results stay valid JSON. */
function finiteOrNull(values: Record<string, number | null> | undefined, where: string, notes: string[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [key, v] of Object.entries(values ?? {})) {
    if (v === null || Number.isFinite(v)) out[key] = v;
    else {
      out[key] = null;
      notes.push(`${key}${where} is ${v}: reported as null`);
    }
  }
  return out;
}

/**
 * Run the selected evaluators on one channel's scored rows. An evaluator that throws does
 * not take the run down: its metrics are null and the note says why.
 */
export function runEvaluators(selected: SelectedEvaluator[], input: EvaluatorsInput): { entries: Record<string, EvaluatorEntry>; curves: Record<string, number[]> } {
  const entries: Record<string, EvaluatorEntry> = {};
  const curves: Record<string, number[]> = {};
  const rows = { scores: input.scores.subarray(input.firstValid), labels: input.labels.subarray(input.firstValid), values: input.values?.subarray(input.firstValid) };
  for (const { plugin, options } of selected) {
    const notes: string[] = [];
    let output: EvaluatorOutput;
    try {
      output = plugin.evaluate({ ...rows, thresholds: input.thresholds }, options);
    } catch (error) {
      const nulls = (thresholded: boolean) => Object.fromEntries(plugin.metrics.filter((m) => m.thresholded === thresholded).map((m) => [m.key, null]));
      output = {
        metrics: nulls(false),
        atThreshold: Object.fromEntries(input.thresholds.map((t) => [t.name, nulls(true)])),
        notes: [`evaluator "${plugin.name}" failed: ${(error as Error).message}`],
      };
    }
    notes.push(...(output.notes ?? []));
    const at = (name: EvaluatorThreshold['name']): EvaluatorAtThreshold | null => {
      const threshold = input.thresholds.find((t) => t.name === name);
      const values = output.atThreshold?.[name];
      return threshold && values ? { threshold: threshold.threshold, protocol: threshold.protocol, metrics: finiteOrNull(values, ` at the ${name} threshold`, notes) } : null;
    };
    entries[plugin.name] = {
      metrics: finiteOrNull(output.metrics, '', notes),
      oracle: at('oracle'),
      deployable: at('deployable'),
      parameters: output.parameters ?? {},
      notes,
    };
    for (const [key, values] of Object.entries(output.curves ?? {})) curves[`${plugin.name}.${key}`] = values;
  }
  return { entries, curves };
}
