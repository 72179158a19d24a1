import { createAnomalab, type Anomalab } from '@anomalab/core';
import type { CommandContext } from './command.ts';

/** The core application with the workspace's plugins discovered. */
export async function openApp(ctx: CommandContext): Promise<Anomalab> {
  const app = await createAnomalab({ runsDir: ctx.runsDir, backend: ctx.backend, dataMirror: ctx.dataMirror });
  for (const failure of app.pluginFailures) ctx.err.write(`warning: ${failure.message.split('\n')[0]}\n`);
  return app;
}
