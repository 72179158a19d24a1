import { AnomalabError } from '../errors.ts';
import type { SelectedEvaluator } from '../contracts/evaluator.ts';
import { unknownPluginMessage, type PluginRegistry } from '../plugins/registry.ts';
import { validateAgainstSchema } from '../config/validate.ts';
import type { PathSegment } from '../config/yaml-locations.ts';

export interface EvaluatorChoice {
  name: string;
  options: Record<string, unknown>;
}

/**
 * `evaluation.metrics` of an experiment, normalised to `{ name, options }` with each
 * evaluator's option defaults applied; absent: every registered evaluator. Problems
 * (unknown names, bad options, duplicates) go to `problem` with their path in the file.
 */
export function selectEvaluatorOptions(
  registry: PluginRegistry,
  metrics: unknown,
  problem: (path: PathSegment[], message: string, atKey?: boolean) => void,
): EvaluatorChoice[] {
  const list: unknown[] = Array.isArray(metrics) ? metrics : registry.names('evaluator');
  const out: EvaluatorChoice[] = [];
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const named = typeof item === 'object' && item !== null;
    const name = typeof item === 'string' ? item : named ? (item as { name?: unknown }).name : undefined;
    if (typeof name !== 'string') return; // the schema reports the type
    const at: PathSegment[] = ['evaluation', 'metrics', i, ...(named ? ['name'] : [])];
    if (!registry.has('evaluator', name)) return problem(at, unknownPluginMessage('evaluator', name, registry.names('evaluator')));
    if (seen.has(name)) return problem(at, `evaluator "${name}" is listed twice`);
    seen.add(name);
    const options = structuredClone(((named && (item as { options?: Record<string, unknown> }).options) || {}) as Record<string, unknown>);
    const schema = registry.get('evaluator', name).optionsSchema;
    if (schema) {
      for (const issue of validateAgainstSchema(schema, options)) problem(['evaluation', 'metrics', i, 'options', ...issue.path], issue.message, issue.atKey);
    }
    out.push({ name, options });
  });
  return out;
}

/**
 * The evaluator plugins of a run's config (as loaded; configs of runs made before
 * evaluators existed have none listed and get every registered one).
 */
export function resolveEvaluators(registry: PluginRegistry, metrics: EvaluatorChoice[] | undefined): SelectedEvaluator[] {
  const problems: string[] = [];
  const choices = metrics ?? selectEvaluatorOptions(registry, undefined, (path, message) => problems.push(`${path.join('.')}: ${message}`));
  const selected = choices.map((c) => ({ plugin: registry.get('evaluator', c.name), options: c.options }));
  if (problems.length) throw new AnomalabError('ANOMALAB_CONFIG_INVALID', problems.join('\n'));
  return selected;
}
