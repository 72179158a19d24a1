import { join } from 'node:path';
import type { PluginServices } from '../contracts/services.ts';
import { RunLogger } from '../logging/run-logger.ts';
import { FsCheckpointStore } from '../run-store/fs-checkpoint-store.ts';
import { FsRunStore } from '../run-store/fs-run-store.ts';
import { runPaths } from '../run-store/run-layout.ts';
import { SeededRandom } from '../random.ts';

/** Real plugin services for tests, plus the log lines the model wrote. */
export interface TestServices extends PluginServices {
  /** Every info/warn/error line, in order (warn/error prefixed). */
  lines: string[];
}

/**
 * The services a run gives a model (see `createPluginScope`), built for a test: a
 * quiet RunLogger writing `<dir>/log.txt`, checkpoints in `<dir>/checkpoints`, a run
 * store in `<dir>/runs` and the seeded Random (`recordBackend` records nothing).
 */
export function createTestServices(dir: string, seed = 1111): TestServices {
  const lines: string[] = [];
  const logger = new RunLogger({
    quiet: true,
    logFile: runPaths(dir).log,
    metricsFile: runPaths(dir).metrics,
    listener: (event) => {
      if (event.kind === 'log') lines.push(event.level === 'info' ? event.message : `${event.level}: ${event.message}`);
    },
  });
  return {
    lines,
    logger,
    checkpoints: new FsCheckpointStore(runPaths(dir).checkpoints),
    runStore: new FsRunStore(join(dir, 'runs')),
    random: new SeededRandom(seed),
    recordBackend: async () => {},
  };
}
