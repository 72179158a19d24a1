import { randomBytes } from 'node:crypto';
import type { StreamSession } from '@anomalab/core';
import { HttpError } from '../errors.ts';
import { checkRows, type ParsedRows } from './parse-rows.ts';
import { ServedStream, type StreamResult } from './served-stream.ts';
import type { StreamLimits } from './stream-limits.ts';

/** Opens the core session of a completed run and tells its state size (see open-run-session.ts). */
export type SessionOpener = (runId: string) => Promise<{ runId: string; session: StreamSession; stateBytes: number }>;

type GoneReason = 'closed' | 'expired' | 'failed' | 'server stopped';

/** Ids of ended sessions remembered to answer 410 instead of 404 (oldest forgotten first). */
const REMEMBERED_GONE = 1000;

/**
 * The open online-scoring sessions of one server, and their bounds: how many may be open,
 * how long one may sit idle, how much memory one may hold (see {@link StreamLimits}).
 * Ended sessions are remembered for a while so their id answers 410 with the reason.
 */
export class StreamSessions {
  private readonly open = new Map<string, ServedStream>();
  private readonly gone = new Map<string, { reason: GoneReason; run: string; at: number; detail?: string }>();
  /** Sessions being opened (the run is loading): they count against maxSessions. */
  private opening = 0;
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    readonly limits: StreamLimits,
    private readonly opener: SessionOpener,
    private readonly now: () => number = Date.now,
  ) {
    // Expiry is also checked on every access; the timer frees idle sessions nobody asks about.
    this.timer = setInterval(() => this.expireIdle(), Math.min(10_000, Math.max(20, Math.floor(limits.idleTimeoutMs / 4))));
    this.timer.unref();
  }

  get size(): number {
    return this.open.size;
  }

  /** Open a session for a completed run, warm it up with `warmup` (raw JSON rows; not returned). */
  async create(runId: string, warmup: readonly unknown[] | undefined): Promise<ServedStream> {
    if (this.stopped) throw new HttpError(503, 'ANOMALAB_CONFLICT', 'the server is shutting down');
    this.expireIdle();
    if (this.open.size + this.opening >= this.limits.maxSessions) {
      const retry = this.secondsUntilNextExpiry();
      throw new HttpError(
        429,
        'ANOMALAB_STREAM_LIMIT',
        `${this.open.size + this.opening} scoring sessions are open (at most ${this.limits.maxSessions}): close one (DELETE /api/streams/<id>) or wait for an idle one to expire (in about ${retry} s)`,
        { 'Retry-After': String(retry) },
      );
    }
    this.opening++;
    let opened: Awaited<ReturnType<SessionOpener>>;
    try {
      opened = await this.opener(runId);
    } finally {
      this.opening--;
    }
    const { session, stateBytes } = opened;
    try {
      if (stateBytes > this.limits.maxSessionBytes) {
        throw new HttpError(422, 'ANOMALAB_STREAM_UNSUPPORTED', `run ${opened.runId}'s model state (checkpoint ~${stateBytes} bytes) is larger than the memory one session may hold (${this.limits.maxSessionBytes} bytes; anomalab serve --stream-memory)`);
      }
      const rows = warmup === undefined ? undefined : checkRows(warmup, { channels: session.channelNames, firstStreamRow: 0, maxRows: this.limits.maxRowsPerRequest, label: 'warmup row' });
      if (this.stopped) throw new HttpError(503, 'ANOMALAB_CONFLICT', 'the server is shutting down');
      const stream = new ServedStream(newSessionId(), opened.runId, session, stateBytes, this.now(), rows?.values.length ?? 0);
      if (rows) {
        this.assertFits(stream, rows);
        stream.push(rows);
      }
      this.open.set(stream.id, stream);
      return stream;
    } catch (error) {
      session.dispose();
      throw error;
    }
  }

  /** An open session (its idle clock restarted); 410 for one that ended, 404 for an unknown id. */
  get(id: string, options: { touch?: boolean } = {}): ServedStream {
    const stream = this.open.get(id);
    if (stream && this.now() - stream.lastActive > this.limits.idleTimeoutMs) this.end(stream, 'expired');
    const live = this.open.get(id);
    if (live) {
      if (options.touch !== false) live.lastActive = this.now();
      return live;
    }
    const gone = this.gone.get(id);
    if (gone) throw new HttpError(410, 'ANOMALAB_STREAM_GONE', goneMessage(id, gone, this.limits.idleTimeoutMs));
    throw new HttpError(404, 'ANOMALAB_NOT_FOUND', `no scoring session ${JSON.stringify(id)} (open one with POST /api/runs/<run>/streams)`);
  }

  list(): ServedStream[] {
    this.expireIdle();
    return [...this.open.values()];
  }

  /**
   * Push checked rows into a session. A push that would take its memory estimate over the
   * limit is refused (413) before any row goes in; one that fails half-way closes it.
   */
  push(stream: ServedStream, rows: ParsedRows): StreamResult[] {
    this.assertFits(stream, rows);
    try {
      return stream.push(rows);
    } catch (error) {
      if (stream.broken) this.end(stream, 'failed', stream.broken);
      throw error;
    } finally {
      stream.lastActive = this.now();
    }
  }

  /** Close a session: the scores its model still held (finish()), then it is gone (410). */
  close(id: string): { stream: ServedStream; results: StreamResult[] } {
    const stream = this.get(id);
    const results = stream.finish();
    this.end(stream, 'closed');
    return { stream, results };
  }

  /**
   * Server shutdown: end every session; later creates get 503. Resolves once every SSE
   * reader has been sent its `end` (at most `graceMs`), so closing the sockets after it
   * does not cut that last event off.
   */
  async closeAll(graceMs = 1000): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const flushed = [...this.open.values()].map((stream) => this.end(stream, 'server stopped'));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(flushed), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  /** 413 when the rows could take the session's memory estimate over the limit (as if the model kept them all). */
  private assertFits(stream: ServedStream, rows: ParsedRows): void {
    const withTimestamps = rows.timestamps.reduce<number>((n, t) => (t === undefined ? n : n + 1), 0);
    const after = stream.memoryBytesAfter(rows.values.length, withTimestamps);
    if (after > this.limits.maxSessionBytes) {
      throw new HttpError(
        413,
        'ANOMALAB_PAYLOAD_TOO_LARGE',
        `session ${stream.id} could hold ~${after} bytes with these ${rows.values.length} rows (at most ${this.limits.maxSessionBytes} per session, anomalab serve --stream-memory; it holds ~${stream.memoryBytes()} now): send fewer rows per request, or close it (DELETE) to get the scores the model still holds`,
      );
    }
  }

  private expireIdle(): void {
    const now = this.now();
    for (const stream of [...this.open.values()]) if (now - stream.lastActive > this.limits.idleTimeoutMs) this.end(stream, 'expired');
  }

  /** Resolves once the session's SSE readers have been sent `end`. */
  private end(stream: ServedStream, reason: GoneReason, detail?: string): Promise<void> {
    if (!this.open.delete(stream.id)) return Promise.resolve();
    const flushed = stream.feed.close({ event: 'end', data: { id: stream.id, reason, rowsPushed: stream.rowsPushed, ...(detail ? { detail } : {}) } });
    stream.dispose();
    this.gone.set(stream.id, { reason, run: stream.run, at: this.now(), detail });
    while (this.gone.size > REMEMBERED_GONE) this.gone.delete(this.gone.keys().next().value!);
    return flushed;
  }

  private secondsUntilNextExpiry(): number {
    const next = Math.min(...[...this.open.values()].map((s) => s.lastActive + this.limits.idleTimeoutMs));
    return Number.isFinite(next) ? Math.max(1, Math.ceil((next - this.now()) / 1000)) : 1;
  }
}

function goneMessage(id: string, gone: { reason: GoneReason; run: string; at: number; detail?: string }, idleTimeoutMs: number): string {
  const when = new Date(gone.at).toISOString();
  switch (gone.reason) {
    case 'expired':
      return `scoring session ${id} (run ${gone.run}) expired at ${when}: no request for ${idleTimeoutMs / 1000} s (the idle timeout); open a new one with POST /api/runs/${gone.run}/streams`;
    case 'closed':
      return `scoring session ${id} (run ${gone.run}) was closed at ${when}; open a new one with POST /api/runs/${gone.run}/streams`;
    case 'failed':
      return `scoring session ${id} (run ${gone.run}) was closed at ${when} because a push failed half-way (${gone.detail}); open a new one`;
    default:
      return `scoring session ${id} (run ${gone.run}) ended when the server stopped`;
  }
}

/** 96 random bits, URL-safe. */
function newSessionId(): string {
  return randomBytes(12).toString('base64url');
}
