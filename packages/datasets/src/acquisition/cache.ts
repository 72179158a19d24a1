import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * Root of anomalab's cache: `ANOMALAB_CACHE_DIR`, else `$XDG_CACHE_HOME/anomalab`, else
 * `~/.cache/anomalab`. Read from the environment on every call (not at import time) so the
 * CLI and tests can set it late.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ANOMALAB_CACHE_DIR) return resolve(env.ANOMALAB_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return join(resolve(env.XDG_CACHE_HOME), 'anomalab');
  return join(homedir(), '.cache', 'anomalab');
}

/**
 * Directory of cached benchmark files. It is laid out like the data mirror
 * (`ecg/chfdb_chf13_45590.txt`, ...), so it can itself serve as `ANOMALAB_DATA_MIRROR`.
 */
export function datasetCacheDir(root = cacheRoot()): string {
  return join(root, 'datasets');
}

/** The file's bytes, or undefined when it is not cached. */
export function readCached(dir: string, relPath: string): Buffer | undefined {
  try {
    return readFileSync(join(dir, relPath));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Writes a cache file atomically: a temp file in the same directory, then rename. Readers
 * (other processes too) see either no file or the whole verified file, never a partial one.
 */
export function writeCached(dir: string, relPath: string, data: Uint8Array): string {
  const target = join(dir, relPath);
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(temp, data);
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return target;
}

/** Removes a cached file (e.g. one that no longer matches its checksum). */
export function removeCached(dir: string, relPath: string): void {
  rmSync(join(dir, relPath), { force: true });
}
