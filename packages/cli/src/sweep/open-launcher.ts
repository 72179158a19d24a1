import type { RunLauncher } from '@anomalab/core';
import { LocalLauncher } from '@anomalab/launcher';

export interface LauncherChoice {
  runsDir: string;
  /** Local runs at once. */
  parallel?: number;
}

/** The launcher a command runs its experiments through: local child processes. */
export async function openLauncher(choice: LauncherChoice): Promise<RunLauncher> {
  return new LocalLauncher({ runsDir: choice.runsDir, parallel: choice.parallel });
}
