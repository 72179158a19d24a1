import { readFile, stat } from 'node:fs/promises';
import { AnomalabError, LEGACY_SERIES_FILE, RUN_FILES, type RunStore, type RunSummary } from '@anomalab/core';
import { assertSafeRunId, resolveInside } from './safe-paths.ts';

interface CacheEntry {
  key: string;
  value: unknown;
}

/**
 * Read-only, path-checked access to run folders. Every read goes through
 * {@link resolveInside}, so a symlinked run folder or file cannot lead outside the store.
 * Big files (the float32 plot series of a 45,000-row run are megabytes) are read once and
 * kept in a small LRU keyed by size and mtime, so zooming a chart does not re-read them.
 */
export class RunFiles {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    readonly store: RunStore,
    private readonly cacheSize = 24,
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

  /** Real path of `<run>/<file>` (`file` may be `series/index.json`), or undefined when it does not exist (yet). */
  async path(id: string, file: string): Promise<string | undefined> {
    await this.dir(id);
    return resolveInside(this.store.root, [id, ...file.split('/')]);
  }

  async readText(id: string, file: string): Promise<string | undefined> {
    const path = await this.path(id, file);
    if (!path) return undefined;
    return readFile(path, 'utf8');
  }

  // Typed reads of the run folder's files (names from core's run-layout).
  readConfig(id: string): Promise<Record<string, unknown> | undefined> {
    return this.readJson<Record<string, unknown>>(id, RUN_FILES.config, { cache: false });
  }

  readResults<T>(id: string): Promise<T | undefined> {
    return this.readJson<T>(id, RUN_FILES.results, { cache: false });
  }

  readLog(id: string): Promise<string | undefined> {
    return this.readText(id, RUN_FILES.log);
  }

  readMetricsLog(id: string): Promise<string | undefined> {
    return this.readText(id, RUN_FILES.metrics);
  }

  /** Real paths of log.txt and metrics.jsonl (undefined until they exist), for tailing. */
  logPath(id: string): Promise<string | undefined> {
    return this.path(id, RUN_FILES.log);
  }

  metricsLogPath(id: string): Promise<string | undefined> {
    return this.path(id, RUN_FILES.metrics);
  }

  /** series/index.json (cached). */
  readSeriesIndex<T>(id: string): Promise<T | undefined> {
    return this.readJson<T>(id, RUN_FILES.seriesIndex);
  }

  /** One file of series/, parsed and cached. */
  readSeriesFile<T>(id: string, file: string, parse: (bytes: Buffer) => T): Promise<T | undefined> {
    return this.readCached(id, `${RUN_FILES.series}/${file}`, parse);
  }

  /** series.json of runs written before series/ (cached). */
  readLegacySeries<T>(id: string): Promise<T | undefined> {
    return this.readJson<T>(id, LEGACY_SERIES_FILE);
  }

  /**
   * Parsed JSON of `<run>/<file>`, cached while the file is unchanged (`cache: false` for
   * one-off reads that should not evict the series a user is zooming).
   */
  async readJson<T>(id: string, file: string, options: { cache?: boolean } = {}): Promise<T | undefined> {
    const parse = (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as T;
    if (options.cache === false) {
      const path = await this.path(id, file);
      return path ? parse(await readFile(path)) : undefined;
    }
    return this.readCached(id, file, parse);
  }

  /** `parse(bytes of <run>/<file>)`, kept in the LRU keyed by the file's size and mtime. */
  async readCached<T>(id: string, file: string, parse: (bytes: Buffer) => T): Promise<T | undefined> {
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
    const value = parse(await readFile(path));
    this.cache.set(cacheKey, { key, value });
    while (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return value;
  }
}
