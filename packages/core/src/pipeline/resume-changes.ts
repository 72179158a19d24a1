import { AnomalabError } from '../errors.ts';
import { formatPath, type PathSegment } from '../config/yaml-locations.ts';

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

/** Throws (exit 2) when the resumed config changes anything but RESUMABLE_KEYS. */
export function assertResumableChanges(runId: string, saved: unknown, next: unknown): string[] {
  const changed = changedKeys(saved, next);
  const refused = changed.filter((key) => !allowed(key));
  if (refused.length) {
    throw new AnomalabError(
      'ANOMALAB_USAGE',
      `cannot change ${refused.join(', ')} when resuming run ${runId}: its data, model, detector, preprocessing and seed are fixed ` +
        `(only ${RESUMABLE_KEYS.join(', ')} may change on resume); start a new run for a different setup`,
    );
  }
  return changed;
}
