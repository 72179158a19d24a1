import { AnomalabError } from '@anomalab/core';

/** Default BullMQ queue name for anomalab runs (override with `--queue-name`). */
export const DEFAULT_QUEUE_NAME = 'anomalab-runs';

export interface QueueAddress {
  /** `redis://[user:password@]host:port[/db]` as given. */
  url: string;
  /** The same without the password, for logs and the UI. */
  display: string;
  name: string;
}

/** Parse `--queue redis://host:6379`; a clear usage error names what was expected. */
export function parseQueueAddress(url: string, name = DEFAULT_QUEUE_NAME): QueueAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AnomalabError('ANOMALAB_USAGE', `--queue must be a Redis URL such as redis://127.0.0.1:6379, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new AnomalabError('ANOMALAB_USAGE', `--queue must be a redis:// (or rediss://) URL, got ${JSON.stringify(url)}`);
  }
  if (!parsed.hostname) throw new AnomalabError('ANOMALAB_USAGE', `--queue ${JSON.stringify(url)} names no host`);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new AnomalabError('ANOMALAB_USAGE', `--queue-name must be letters, digits, '.', '_' or '-', got ${JSON.stringify(name)}`);
  const display = new URL(url);
  if (display.password) display.password = '***';
  return { url, display: display.toString().replace(/\/$/, ''), name };
}

/**
 * BullMQ connection options. Workers need `maxRetriesPerRequest: null` (blocking commands
 * wait through a Redis restart instead of failing); ioredis reconnects with backoff.
 */
export function connectionOptions(address: QueueAddress): { url: string; maxRetriesPerRequest: null; retryStrategy: (times: number) => number } {
  return { url: address.url, maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(200 * times, 2000) };
}

/** Redis keys next to the queue's own (`bull:<name>:*`). */
export function runKeys(queueName: string, runId: string) {
  const base = `anomalab:${queueName}:${runId}`;
  return {
    /** The run folder as of its last checkpoint: where a retried or recovered run resumes. */
    snapshot: `${base}:snapshot`,
    /** The finished run folder, waiting to be collected into the submitter's run store. */
    result: `${base}:result`,
    /** Set by a submitter to stop a running run (checkpoint -> interrupted). */
    cancel: `${base}:cancel`,
  };
}
