import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import type { ServerContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { parseRows } from '../streams/parse-rows.ts';
import type { ServedStream } from '../streams/served-stream.ts';

/** Paths whose bodies are rows: they get the stream body limit instead of the general one. */
export const STREAM_BODY_PATHS = /^\/api\/(?:streams\/[^/]+\/points|runs\/[^/]+\/streams)$/;
/** The one route that also takes NDJSON (the request guard lets application/x-ndjson through here). */
export const STREAM_POINTS_PATH = /^\/api\/streams\/[^/]+\/points$/;

function rowsBodyLimit(ctx: ServerContext) {
  const maxSize = ctx.streams.limits.maxBodyBytes;
  return bodyLimit({
    maxSize,
    onError: (c) => c.json({ error: { code: 'ANOMALAB_PAYLOAD_TOO_LARGE', message: `request body larger than ${maxSize} bytes (the stream body limit, anomalab serve --stream-body-limit): send fewer rows per request` } }, 413),
  });
}

function publicLimits(ctx: ServerContext) {
  const { maxRowsPerRequest, maxBodyBytes, idleTimeoutMs, maxSessionBytes } = ctx.streams.limits;
  return { maxRowsPerRequest, maxBodyBytes, idleTimeoutMs, maxSessionBytes };
}

/**
 * `POST /api/runs/:id/streams`: open an online-scoring session for a completed run.
 * Optional JSON body `{ "warmup": [rows] }`: rows that advance the model's state (e.g. the
 * end of the series before the live data) and are not scored back.
 */
export function runStreamRoutes(ctx: ServerContext): Hono {
  const api = new Hono();
  api.post('/:id/streams', rowsBodyLimit(ctx), async (c) => {
    const warmup = readWarmup(await c.req.text());
    const stream = await ctx.streams.create(c.req.param('id'), warmup);
    const location = `/api/streams/${stream.id}`;
    c.header('Location', location);
    return c.json({ ...stream.info(ctx.streams.limits.idleTimeoutMs), location, limits: publicLimits(ctx) }, 201);
  });
  return api;
}

function readWarmup(text: string): unknown[] | undefined {
  if (text.trim() === '') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', `the body is not valid JSON (${(error as Error).message}): expected nothing or { "warmup": [rows] }`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', 'the body must be a JSON object: { "warmup": [rows] } (or empty)');
  const unknown = Object.keys(body).filter((k) => k !== 'warmup');
  if (unknown.length) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} in the body (only "warmup")`);
  const { warmup } = body as { warmup?: unknown };
  if (warmup === undefined) return undefined;
  if (!Array.isArray(warmup)) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', 'warmup must be an array of rows (each an array of numbers in channel order, or an object keyed by channel name)');
  return warmup;
}

/** `/api/streams`: list sessions, push rows, follow one over SSE, close one. */
export function streamRoutes(ctx: ServerContext): Hono {
  const api = new Hono();
  const sessions = ctx.streams;

  api.get('/', (c) => c.json({ streams: sessions.list().map((s) => s.info(sessions.limits.idleTimeoutMs)), limits: { ...publicLimits(ctx), maxSessions: sessions.limits.maxSessions } }));

  api.get('/:sid', (c) => c.json(sessions.get(c.req.param('sid'), { touch: false }).info(sessions.limits.idleTimeoutMs)));

  api.post('/:sid/points', rowsBodyLimit(ctx), async (c) => {
    const sid = c.req.param('sid');
    sessions.get(sid); // 404 / 410 before reading a body for nothing
    const text = await c.req.text();
    // Everything from here to the response is synchronous: no other request's rows interleave.
    const stream = sessions.get(sid);
    const rows = parseRows(text, isNdjson(c) ? 'ndjson' : 'json', { channels: stream.channels, firstStreamRow: stream.rowsPushed, maxRows: sessions.limits.maxRowsPerRequest });
    const results = sessions.push(stream, rows);
    return c.json({ results, rowsPushed: stream.rowsPushed });
  });

  api.delete('/:sid', (c) => {
    const { stream, results } = sessions.close(c.req.param('sid'));
    return c.json({ id: stream.id, closed: true, rowsPushed: stream.rowsPushed, results });
  });

  api.get('/:sid/events', (c) => {
    // Reading a session's feed does not keep it alive: only pushes do.
    const stream = sessions.get(c.req.param('sid'), { touch: false });
    if (stream.feed.size >= sessions.limits.maxSubscribers) {
      throw new HttpError(429, 'ANOMALAB_STREAM_LIMIT', `session ${stream.id} already has ${stream.feed.size} event readers (at most ${sessions.limits.maxSubscribers})`);
    }
    return followSession(c, stream, sessions.limits.idleTimeoutMs);
  });

  return api;
}

function isNdjson(c: Context): boolean {
  return (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase() === 'application/x-ndjson';
}

/**
 * SSE of one session: `session` (its info) first, then `scores` ({ results }) per push that
 * scored rows, `alarm` (one result) per alarming row, and `end` ({ reason }) when it is
 * closed, expires or the server stops; the server then ends the stream. A reader that
 * falls far behind gets `lagged` and is ended (reconnect to follow again).
 */
function followSession(c: Context, stream: ServedStream, idleTimeoutMs: number): Response {
  // Subscribed before the response starts: no push in between is missed.
  const reader = stream.feed.subscribe();
  return streamSSE(c, async (sse) => {
    sse.onAbort(() => reader.end());
    try {
      let seq = 0;
      await sse.writeSSE({ event: 'session', data: JSON.stringify(stream.info(idleTimeoutMs)), id: String(seq) });
      for (;;) {
        const item = await reader.next();
        if (!item || sse.aborted) break;
        await sse.writeSSE({ event: item.event, data: item.data, id: String(++seq) });
      }
    } finally {
      reader.end();
      reader.writerDone();
    }
  });
}
