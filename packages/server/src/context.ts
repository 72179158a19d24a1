import type { Anomalab } from '@anomalab/core';
import type { RunCatalog } from './run-catalog.ts';
import type { RunFiles } from './run-files.ts';
import type { RunQueue } from './run-queue.ts';
import type { StreamSessions } from './streams/stream-sessions.ts';

/** What the route modules share (built once by createServerApp). */
export interface ServerContext {
  app: Anomalab;
  files: RunFiles;
  queue: RunQueue;
  catalog: RunCatalog;
  /** Folder `POST /api/runs { experiment }` and `GET /api/experiments` read from. */
  experimentsDir: string;
  /** Folders data files named by a request may lie in: the experiments folder plus `dataDirs`. */
  dataDirs: string[];
  /** Open online-scoring sessions (`/api/streams`). */
  streams: StreamSessions;
}
