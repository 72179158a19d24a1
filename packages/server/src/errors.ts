import { sep } from 'node:path';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AnomalabError, ConfigError, type AnomalabErrorCode, type ConfigProblem } from '@anomalab/core';

/** Codes only the server produces (HTTP-level problems the core has no word for). */
export type ServerErrorCode =
  | 'ANOMALAB_NOT_FOUND'
  | 'ANOMALAB_INVALID_PATH'
  | 'ANOMALAB_FORBIDDEN_PATH'
  | 'ANOMALAB_PAYLOAD_TOO_LARGE'
  | 'ANOMALAB_CONFLICT'
  | 'ANOMALAB_QUEUE_FULL'
  | 'ANOMALAB_QUEUE_UNAVAILABLE'
  | 'ANOMALAB_BAD_REQUEST'
  | 'ANOMALAB_FORBIDDEN_HOST'
  | 'ANOMALAB_FORBIDDEN_ORIGIN'
  | 'ANOMALAB_TOKEN_REQUIRED'
  | 'ANOMALAB_UNSUPPORTED_MEDIA_TYPE'
  /** Too many open online-scoring sessions (or SSE readers of one). */
  | 'ANOMALAB_STREAM_LIMIT'
  /** An online-scoring session that was closed or expired (idle timeout). */
  | 'ANOMALAB_STREAM_GONE'
  /** A completed run whose model cannot score incrementally, or too big for a session. */
  | 'ANOMALAB_STREAM_UNSUPPORTED';

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; problems?: ConfigProblem[]; [detail: string]: unknown };
}

/** An error that already knows its HTTP status (thrown by routes, rendered by {@link onError}). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ServerErrorCode | AnomalabErrorCode,
    message: string,
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers: Record<string, string> = {},
    /** Extra fields of the error body, e.g. the bad rows of a points request. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * The one place core error codes become HTTP statuses (the CLI's counterpart is
 * `exitCodeFor`): 4xx for what the request can fix, 5xx for the rest.
 */
export function statusForCode(code: AnomalabErrorCode): ContentfulStatusCode {
  switch (code) {
    case 'ANOMALAB_CONFIG_INVALID':
    case 'ANOMALAB_PLUGIN_NOT_FOUND':
    case 'ANOMALAB_USAGE':
      return 400;
    case 'ANOMALAB_RUN_NOT_FOUND':
      return 404;
    case 'ANOMALAB_INTERRUPTED':
      return 409;
    case 'ANOMALAB_DATA_INVALID':
    case 'ANOMALAB_RUN_UNREADABLE':
      return 422;
    case 'ANOMALAB_DATA_UNAVAILABLE':
      return 503;
    case 'ANOMALAB_PLUGIN_INVALID':
    case 'ANOMALAB_CHECKPOINT_INVALID':
    case 'ANOMALAB_TRAINING_DIVERGED':
    case 'ANOMALAB_INTERNAL':
      return 500;
    default:
      return 500;
  }
}

/** Status and body for any thrown value. */
export function errorResponse(error: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  if (error instanceof ConfigError) {
    return { status: 400, body: { error: { code: error.code, message: `${error.problems.length} problem(s) in the experiment`, problems: error.problems } } };
  }
  if (error instanceof HttpError) return { status: error.status, body: { error: { ...error.details, code: error.code, message: error.message } } };
  if (error instanceof AnomalabError) return { status: statusForCode(error.code), body: { error: { code: error.code, message: error.message } } };
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    const code = status === 413 ? 'ANOMALAB_PAYLOAD_TOO_LARGE' : status === 404 ? 'ANOMALAB_NOT_FOUND' : 'ANOMALAB_BAD_REQUEST';
    return { status, body: { error: { code, message: error.message || `HTTP ${status}` } } };
  }
  // The client went away mid-body (or sent less than its Content-Length): its fault, no stack.
  if ((error as NodeJS.ErrnoException)?.code === 'ECONNRESET') {
    return { status: 400, body: { error: { code: 'ANOMALAB_BAD_REQUEST', message: 'the request body ended before its declared length (connection closed)' } } };
  }
  // Unexpected: a bug, not the client's fault. The message helps a local user; no stack.
  return { status: 500, body: { error: { code: 'ANOMALAB_INTERNAL', message: (error as Error)?.message ?? String(error) } } };
}

/**
 * `message` with the server's own folders (e.g. the run store root) cut to paths relative
 * to them: a client learns which run file is broken, not where the server keeps its files.
 */
export function hideServerPaths(message: string, roots: readonly string[]): string {
  return roots.reduce((text, root) => text.split(root.endsWith(sep) ? root : root + sep).join(''), message);
}

/**
 * Hono `onError` handler: every error leaves as `{ error: { code, message, problems? } }`,
 * messages without the absolute paths of `hiddenRoots`.
 */
export function createErrorHandler(hiddenRoots: readonly string[] = []) {
  return (error: Error, c: Context): Response => {
    const { status, body } = errorResponse(error);
    if (status >= 500) console.error(`[anomalab-server] ${c.req.method} ${c.req.path}:`, error);
    body.error.message = hideServerPaths(body.error.message, hiddenRoots);
    return c.json(body, status, error instanceof HttpError ? error.headers : undefined);
  };
}

export const onError = createErrorHandler();

/** Hono `notFound` handler (unknown routes). */
export function onNotFound(c: Context): Response {
  return c.json({ error: { code: 'ANOMALAB_NOT_FOUND', message: `no route for ${c.req.method} ${c.req.path}` } } satisfies ErrorBody, 404);
}
