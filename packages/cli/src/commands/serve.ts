import type { Command } from '../command.ts';

/** `anomalab serve`: the results server and web UI (packages/server), loaded on demand. */
export const serveCommand: Command = {
  path: ['serve'],
  summary: 'start the results server and web UI (http://127.0.0.1:8377)',
  help: '', // the server package prints its own help
  options: {},
  passthrough: true,
  async run({ positionals }, ctx) {
    const { runServeCommand } = await import('@anomalab/server');
    return runServeCommand([...positionals, '--runs', ctx.runsDir], { out: ctx.out, err: ctx.err });
  },
};
