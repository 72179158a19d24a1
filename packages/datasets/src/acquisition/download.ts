import { AnomalabError } from '@anomalab/core';

/** Suggestion appended to every network failure: this project is often used offline. */
export function mirrorHint(relPath?: string): string {
  return (
    'To work offline, point ANOMALAB_DATA_MIRROR (or the CLI flag --data-mirror <dir>) at a local copy of the ' +
    `benchmark files laid out as <dataset>/<file>${relPath ? ` (this one: ${relPath})` : ''}.`
  );
}

export interface DownloadOptions {
  signal?: AbortSignal;
  /** Give up when the whole download takes longer (ms). */
  timeoutMs?: number;
  /** For the error message's mirror hint. */
  relPath?: string;
}

/**
 * GETs `url` into memory (the benchmark files are at most a few MB). Follows redirects.
 * Every failure is an `ANOMALAB_DATA_UNAVAILABLE` naming the URL and suggesting the mirror;
 * nothing is written anywhere, so callers decide what reaches the cache.
 */
export async function download(url: string, options: DownloadOptions = {}): Promise<Buffer> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 120_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { signal, redirect: 'follow' });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason ?? error;
    throw new AnomalabError(
      'ANOMALAB_DATA_UNAVAILABLE',
      `cannot download ${url}: ${describeNetworkError(error)}. ${mirrorHint(options.relPath)}`,
      { cause: error },
    );
  }
  if (!response.ok) {
    // Drain the body so the connection can be reused/closed promptly.
    await response.arrayBuffer().catch(() => undefined);
    throw new AnomalabError(
      'ANOMALAB_DATA_UNAVAILABLE',
      `cannot download ${url}: HTTP ${response.status} ${response.statusText}. ${mirrorHint(options.relPath)}`,
    );
  }
  try {
    return Buffer.from(await response.arrayBuffer());
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason ?? error;
    throw new AnomalabError(
      'ANOMALAB_DATA_UNAVAILABLE',
      `download of ${url} broke off: ${describeNetworkError(error)}. ${mirrorHint(options.relPath)}`,
      { cause: error },
    );
  }
}

/** fetch() hides the useful part (ECONNREFUSED, ENOTFOUND, ...) in `cause`. */
function describeNetworkError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const e = current as { code?: string; message?: string; name?: string; cause?: unknown };
    const text = e.code && !e.message?.includes(e.code) ? `${e.code}${e.message ? ` (${e.message})` : ''}` : e.message;
    if (text && !parts.includes(text) && text !== 'fetch failed') parts.push(text);
    if (e.name === 'TimeoutError') parts.push('timed out');
    current = e.cause;
  }
  if (!parts.length) parts.push(String(error));
  const text = parts.join(': ');
  return text.includes('ECONNREFUSED') ? `connection refused (${text})` : text;
}
