import { AnomalabError } from '../errors.ts';
import { formatPath, type PathSegment } from '../config/yaml-locations.ts';
import { parseOverride } from '../config/load-experiment.ts';

/**
 * What `--resume <run> --set ...` may change. A run is one data set, one model and one
 * detector trained from one seed: changing any of them halfway would leave a run whose
 * record names what it was not trained on. How long to train, how often to checkpoint and
 * how to evaluate may change.
 */
export const RESUMABLE_KEYS = ['training.epochs', 'training.save_interval', 'evaluation', 'description'] as const;

const allowed = (path: string) => RESUMABLE_KEYS.some((key) => path === key || path.startsWith(`${key}.`) || path.startsWith(`${key}[`));

/** Dotted paths of every leaf that differs between two resolved configs. */
export function changedKeys(before: unknown, after: unknown, path: PathSegment[] = []): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => changedKeys(before[k], after[k], [...path, k]));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((v, i) => changedKeys(v, after[i], [...path, i]));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [formatPath(path)];
}

const valueAt = (data: unknown, path: PathSegment[]) => path.reduce<any>((v, seg) => v?.[seg as any], data);

/**
 * Throws (exit 2, naming every key) when the `--set` overrides of a resume change anything
 * but RESUMABLE_KEYS. Only the overridden paths are compared, so defaults that a newer
 * anomalab adds to the resolved config do not count as changes.
 */
export function assertResumableOverrides(runId: string, saved: unknown, next: unknown, overrides: string[]): void {
  const refused = new Set<string>();
  for (const expr of overrides) {
    const parsed = parseOverride(expr);
    if ('message' in parsed) continue; // loading the config has reported it
    for (const key of changedKeys(valueAt(saved, parsed.path), valueAt(next, parsed.path), parsed.path)) if (!allowed(key)) refused.add(key);
  }
  if (refused.size) {
    throw new AnomalabError(
      'ANOMALAB_USAGE',
      `cannot change ${[...refused].join(', ')} when resuming run ${runId}: a run's data, model, detector, preprocessing and seed are fixed ` +
        `(on resume only ${RESUMABLE_KEYS.map((k) => (k === 'evaluation' ? 'evaluation.*' : k)).join(', ')} may change); start a new run for a different setup`,
    );
  }
}
