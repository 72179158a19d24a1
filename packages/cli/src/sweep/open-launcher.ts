import type { AnomalabSettings, RunLauncher } from '@anomalab/core';
import { LocalLauncher } from '@anomalab/launcher';

export interface LauncherChoice {
  runsDir: string;
  /** Local runs at once. */
  parallel?: number;
  /** `redis://host:port`: run on the BullMQ workers of this Redis instead of locally. */
  queue?: string;
  queueName?: string;
  err?: NodeJS.WritableStream;
  /** The command's `--backend` / `--data-mirror`, handed to every run. */
  settings?: Partial<AnomalabSettings>;
}

/** The launcher a command runs its experiments through: local child processes, or a queue. */
export async function openLauncher(choice: LauncherChoice): Promise<RunLauncher> {
  if (!choice.queue) return new LocalLauncher({ runsDir: choice.runsDir, parallel: choice.parallel, settings: choice.settings });
  // Loaded on demand: local runs never load BullMQ.
  const { BullMqLauncher, parseQueueAddress } = await import('@anomalab/executor-bullmq');
  return new BullMqLauncher({ address: parseQueueAddress(choice.queue, choice.queueName), runsDir: choice.runsDir, err: choice.err });
}
