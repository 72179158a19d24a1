import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { AnomalabError, findWorkspaceRoot } from '@anomalab/core';

/**
 * The local mirror named by `ANOMALAB_DATA_MIRROR` (set by the CLI's `--data-mirror`), or
 * undefined when unset. A relative path resolves against the working directory, and failing
 * that against the workspace root, so `../shared/datasets` works from any package folder.
 */
export function resolveMirrorDir(value: string | undefined = process.env.ANOMALAB_DATA_MIRROR): string | undefined {
  if (!value) return undefined;
  const candidates = [resolve(value)];
  if (!isAbsolute(value)) {
    const root = findWorkspaceRoot();
    if (root) candidates.push(resolve(root, value));
  }
  const found = candidates.find((dir) => existsSync(dir) && statSync(dir).isDirectory());
  if (!found) {
    throw new AnomalabError(
      'ANOMALAB_DATA_UNAVAILABLE',
      `ANOMALAB_DATA_MIRROR=${value} is not a directory (looked at ${[...new Set(candidates)].join(', ')})`,
    );
  }
  return found;
}
