import { readFile, stat } from 'node:fs/promises';
import { AnomalabError, type RunStore, type RunSummary } from '@anomalab/core';
import { assertSafeRunId, resolveInside } from './safe-paths.ts';

interface CacheEntry {
  key: string;
  value: unknown;
}

/**
 * Read-only, path-checked access to run folders. Every read goes through
 * {@link resolveInside}, so a symlinked run folder or file cannot lead outside the store.
 * Big files (series.json of a 45,000-row series is several MB) are parsed once and kept
 * in a small LRU keyed by size and mtime, so zooming a chart does not re-parse them.
 */
export class RunFiles {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    readonly store: RunStore,
    private readonly cacheSize = 6,
  ) {}

  /** The real path of the run folder; 404 if there is no such run. */
  async dir(id: string): Promise<string> {
    assertSafeRunId(id);
    const dir = await resolveInside(this.store.root, [id]);
    if (!dir) throw new AnomalabError('ANOMALAB_RUN_NOT_FOUND', `no run ${JSON.stringify(id)}`);
    return dir;
  }

  /** Whether `id` is a run folder really inside the store (false for symlinks out, bad ids). */
  async isInside(id: string): Promise<boolean> {
    try {
      await this.dir(id);
      return true;
    } catch {
      return false;
    }
  }

  /** run.json through the store (which also tells crashed runs from live ones). */
  async record(id: string): Promise<RunSummary> {
    await this.dir(id);
    return this.store.get(id);
  }

  /** Real path of `<run>/<file>`, or undefined when it does not exist (yet). */
  async path(id: string, file: string): Promise<string | undefined> {
    await this.dir(id);
    return resolveInside(this.store.root, [id, file]);
  }

  async readText(id: string, file: string): Promise<string | undefined> {
    const path = await this.path(id, file);
    if (!path) return undefined;
    return readFile(path, 'utf8');
  }

  /** Parsed JSON of `<run>/<file>`, cached while the file is unchanged. */
  async readJson<T>(id: string, file: string): Promise<T | undefined> {
    const path = await this.path(id, file);
    if (!path) return undefined;
    const info = await stat(path);
    const key = `${info.size}:${info.mtimeMs}`;
    const cacheKey = `${id}/${file}`;
    const hit = this.cache.get(cacheKey);
    if (hit && hit.key === key) {
      // Refresh LRU position.
      this.cache.delete(cacheKey);
      this.cache.set(cacheKey, hit);
      return hit.value as T;
    }
    const value = JSON.parse(await readFile(path, 'utf8')) as T;
    this.cache.set(cacheKey, { key, value });
    while (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return value;
  }
}
