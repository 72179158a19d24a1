/**
 * Bounds on the online-scoring sessions of one server (`POST /api/runs/:id/streams`).
 * Every bound answers with its own clear 4xx, so a client learns which one it hit.
 */
export interface StreamLimits {
  /** Sessions open at once; one more is refused with 429 (default 16). */
  maxSessions: number;
  /** A session with no request for this long is closed; its id then answers 410 (default 300,000 ms = 5 min). */
  idleTimeoutMs: number;
  /** Rows in one `points` (or warm-up) request; more is 413 (default 10,000). */
  maxRowsPerRequest: number;
  /** Bytes of one `points` (or session-opening) request body; more is 413 (default 8 MiB). */
  maxBodyBytes: number;
  /**
   * Estimated memory one session may hold (default 64 MiB): the run's checkpoint size (the
   * model state a session loads), plus rows the model has not scored yet, timestamps kept
   * for them and events queued for slow SSE readers. A push that would pass it is 413; a
   * run whose checkpoint alone passes it cannot be opened (422). At most
   * `maxSessions * maxSessionBytes` for all sessions together.
   */
  maxSessionBytes: number;
  /** SSE readers of one session at once (default 8; more is 429). */
  maxSubscribers: number;
}

export const DEFAULT_STREAM_LIMITS: Readonly<StreamLimits> = Object.freeze({
  maxSessions: 16,
  idleTimeoutMs: 5 * 60_000,
  maxRowsPerRequest: 10_000,
  maxBodyBytes: 8 * 1024 * 1024,
  maxSessionBytes: 64 * 1024 * 1024,
  maxSubscribers: 8,
});

/** Defaults filled in; a limit that is not a positive whole number is a programming error (the CLI checks its flags). */
export function resolveStreamLimits(given: Partial<StreamLimits> = {}): StreamLimits {
  const limits = { ...DEFAULT_STREAM_LIMITS, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) } as StreamLimits;
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`stream limit ${key} must be a whole number >= 1, got ${JSON.stringify(value)}`);
  }
  return limits;
}
