import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { findWorkspaceRoot } from '@anomalab/core';

/**
 * For tests: the benchmark data mirror, from `ANOMALAB_DATA_MIRROR` or else
 * `../shared/datasets` next to the repository root. Returns the directory and, when none
 * is found, why (for the skip message).
 */
export function findTestMirror(): { dir?: string; reason: string } {
  const root = findWorkspaceRoot() ?? process.cwd();
  const fromEnv = process.env.ANOMALAB_DATA_MIRROR;
  const candidates = fromEnv
    ? [isAbsolute(fromEnv) ? fromEnv : resolve(fromEnv), resolve(root, fromEnv)]
    : [resolve(root, '../shared/datasets')];
  const dir = candidates.find((d) => existsSync(join(d, 'SHA256SUMS')) || existsSync(join(d, 'ecg')));
  const reason = fromEnv
    ? `ANOMALAB_DATA_MIRROR=${fromEnv} holds no benchmark files (looked at ${candidates.join(', ')})`
    : `no benchmark data mirror: ANOMALAB_DATA_MIRROR is unset and ${candidates[0]} does not exist`;
  return dir ? { dir, reason: '' } : { reason };
}
