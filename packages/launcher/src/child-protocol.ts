import type { AnomalabSettings, LaunchEvent, LaunchRequest } from '@anomalab/core';

/** Parent -> child, once, right after spawn: what to run and where to store it. */
export interface RunMessage {
  type: 'run';
  request: LaunchRequest;
  /** Run store root of the child. */
  runsDir: string;
  /** Only the final summary on the child's stdout (log.txt is still written). */
  quiet?: boolean;
  /** The parent's `--backend` / `--data-mirror` settings (values, not environment variables). */
  settings?: Partial<AnomalabSettings>;
}

/** Child -> parent: the launch events (log lines travel on stdout/stderr instead). */
export type ChildMessage = Exclude<LaunchEvent, { type: 'log' | 'queued' | 'starting' | 'retrying' }>;

export function isRunMessage(value: unknown): value is RunMessage {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'run';
}
