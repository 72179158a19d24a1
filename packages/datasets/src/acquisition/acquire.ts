import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnomalabError, type Logger } from '@anomalab/core';
import { verifySha256, sha256Hex } from './checksum.ts';
import { datasetCacheDir, readCached, removeCached, writeCached } from './cache.ts';
import { download } from './download.ts';
import { resolveMirrorDir } from './mirror.ts';
import { findZipMember, readZip } from './zip.ts';

/** Where a raw file comes from (see the benchmark catalog). */
export type RawSource = { kind: 'file'; url: string } | { kind: 'zip'; url: string; member: string };

/** A raw file: its path relative to a mirror/cache root, pinned hash and remote source. */
export interface RawFile {
  path: string;
  sha256: string;
  source: RawSource;
}

export interface AcquireOptions {
  /** Mirror directory; default `ANOMALAB_DATA_MIRROR` (resolved). `null` disables the mirror. */
  mirrorDir?: string | null;
  /** Cache directory for benchmark files; default `<ANOMALAB_CACHE_DIR or ~/.cache/anomalab>/datasets`. */
  cacheDir?: string;
  /**
   * Replaces the scheme/host/folder of every download URL, keeping the file name
   * (`<baseUrl>/ECG_data.zip`, `<baseUrl>/nyc_taxi.csv`); default `ANOMALAB_DATA_BASE_URL`.
   * For tests and for self-hosted copies.
   */
  baseUrl?: string;
  /** Copy files found in the mirror into the cache too (what `datasets fetch` wants). */
  copyMirrorToCache?: boolean;
  /** Other files of the same zip archive: they are verified and cached from the same download. */
  zipSiblings?: RawFile[];
  logger?: Pick<Logger, 'info' | 'warn'>;
  signal?: AbortSignal;
}

/** The download URL after applying `baseUrl` (or `ANOMALAB_DATA_BASE_URL`). */
export function effectiveUrl(url: string, baseUrl: string | undefined = process.env.ANOMALAB_DATA_BASE_URL): string {
  if (!baseUrl) return url;
  return `${baseUrl.replace(/\/+$/, '')}/${url.slice(url.lastIndexOf('/') + 1)}`;
}

// Concurrent loads of several ECG series share one download of ECG_data.zip.
const inflight = new Map<string, Promise<Buffer>>();

function downloadOnce(url: string, relPath: string, options: AcquireOptions): Promise<Buffer> {
  let pending = inflight.get(url);
  if (!pending) {
    options.logger?.info(`downloading ${url}`);
    pending = download(url, { signal: options.signal, relPath }).finally(() => inflight.delete(url));
    inflight.set(url, pending);
  }
  return pending;
}

/**
 * The verified bytes of a raw benchmark file. Order: the mirror when one is configured
 * (it is what the user asked for; a file missing there is an error, not a silent download),
 * else the cache, else the network. Whatever the source, the bytes must match the pinned
 * SHA-256; only verified bytes are written to the cache, atomically.
 */
export async function acquireFile(file: RawFile, options: AcquireOptions = {}): Promise<Buffer> {
  const cacheDir = options.cacheDir ?? datasetCacheDir();
  const mirrorDir = options.mirrorDir === null ? undefined : (options.mirrorDir ?? resolveMirrorDir());

  if (mirrorDir) {
    const at = join(mirrorDir, file.path);
    let data: Buffer;
    try {
      data = readFileSync(at);
    } catch (error) {
      throw new AnomalabError(
        'ANOMALAB_DATA_UNAVAILABLE',
        `${file.path} is not in the data mirror ${mirrorDir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ` +
          'the mirror must hold the raw files as <dataset>/<file>',
        { cause: error },
      );
    }
    verifySha256(data, file.sha256, file.path, at);
    if (options.copyMirrorToCache) writeCached(cacheDir, file.path, data);
    return data;
  }

  const cached = readCached(cacheDir, file.path);
  if (cached) {
    if (sha256Hex(cached) === file.sha256) return cached;
    // Damaged or tampered cache entry: drop it and fetch again rather than fail forever.
    options.logger?.warn(`cached ${file.path} does not match its checksum; downloading it again`);
    removeCached(cacheDir, file.path);
  }

  const url = effectiveUrl(file.source.url, options.baseUrl);
  if (file.source.kind === 'file') {
    const data = await downloadOnce(url, file.path, options);
    verifySha256(data, file.sha256, file.path, url);
    writeCached(cacheDir, file.path, data);
    return data;
  }

  // A zip member: unpack in memory, verify every known member, cache the good ones.
  const zip = await downloadOnce(url, file.path, options);
  const entries = readZip(zip, url);
  let wanted: Buffer | undefined;
  for (const member of [file, ...(options.zipSiblings ?? []).filter((s) => s.path !== file.path)]) {
    if (member.source.kind !== 'zip') continue;
    const entry = findZipMember(entries, member.source.member);
    if (member === file) {
      if (!entry) {
        throw new AnomalabError(
          'ANOMALAB_DATA_INVALID',
          `${url} holds no ${file.source.member} (it holds ${entries.map((e) => e.name).join(', ') || 'nothing'})`,
        );
      }
      verifySha256(entry.data, file.sha256, file.path, `${url}!${entry.name}`);
      writeCached(cacheDir, file.path, entry.data);
      wanted = entry.data;
    } else if (entry && sha256Hex(entry.data) === member.sha256 && !readCached(cacheDir, member.path)) {
      writeCached(cacheDir, member.path, entry.data);
    }
  }
  return wanted!;
}
