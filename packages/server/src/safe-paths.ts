import { realpath } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { HttpError } from './errors.ts';

/**
 * Names that come from URLs and request bodies are checked twice: by shape (one plain
 * path segment, so `..`, separators, absolute paths and NUL bytes never reach the file
 * system) and by location (the real path, symlinks resolved, must stay inside the root).
 */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const EXPERIMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.ya?ml$/;
const ASSET_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Throws 400 unless `id` is a plain run id (letters, digits, `.`, `_`, `-`; no `..`). */
export function assertSafeRunId(id: string): string {
  if (!RUN_ID.test(id) || id.includes('..')) throw new HttpError(400, 'ANOMALAB_INVALID_PATH', `invalid run id ${JSON.stringify(id)}`);
  return id;
}

/** Throws 400 unless `id` is a plain sweep id (same rule as run ids). */
export function assertSafeSweepId(id: string): string {
  if (!RUN_ID.test(id) || id.includes('..')) throw new HttpError(400, 'ANOMALAB_INVALID_PATH', `invalid sweep id ${JSON.stringify(id)}`);
  return id;
}

/** Throws 400 unless `name` is a plain `*.yaml`/`*.yml` file name (no folders). */
export function assertSafeExperimentName(name: string): string {
  if (!EXPERIMENT_NAME.test(name) || name.includes('..')) {
    throw new HttpError(400, 'ANOMALAB_INVALID_PATH', `invalid experiment name ${JSON.stringify(name)}: expected a file name like quickstart.yaml in the experiments folder`);
  }
  return name;
}

/**
 * `root/…segments` if its real path (symlinks followed) lies inside the real `root`;
 * `undefined` if it does not exist; 403 if it escapes. Each segment must be a plain name.
 */
export async function resolveInside(root: string, segments: string[]): Promise<string | undefined> {
  for (const s of segments) {
    if (!ASSET_SEGMENT.test(s) || s.includes('..') || isAbsolute(s)) throw new HttpError(400, 'ANOMALAB_INVALID_PATH', `invalid path segment ${JSON.stringify(s)}`);
  }
  const realRoot = await realpath(resolve(root)).catch(() => undefined);
  if (!realRoot) return undefined;
  const candidate = join(realRoot, ...segments);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
  if (real !== realRoot && !real.startsWith(realRoot + sep)) {
    throw new HttpError(403, 'ANOMALAB_FORBIDDEN_PATH', `${segments.join('/')} resolves outside its folder (symlink?): refused`);
  }
  return real;
}

/** Percent-decode a URL path into segments, refusing anything that is not a plain name. */
export function pathSegments(urlPath: string): string[] {
  let decoded: string[];
  try {
    decoded = urlPath.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  } catch {
    throw new HttpError(400, 'ANOMALAB_INVALID_PATH', 'malformed percent-encoding in the path');
  }
  for (const s of decoded) {
    if (!ASSET_SEGMENT.test(s) || s.includes('..')) throw new HttpError(400, 'ANOMALAB_INVALID_PATH', `invalid path segment ${JSON.stringify(s)}`);
  }
  return decoded;
}
