import type { Command } from '../command.ts';

/** `anomalab serve`: the results server and web UI (packages/server), loaded on demand (serve-server.ts). */
export const serveCommand: Command = {
  path: ['serve'],
  summary: 'start the results server and web UI (http://127.0.0.1:8377)',
  help: '', // serve-server.ts parses its own options and prints its help
  options: {},
  passthrough: true,
  async run({ positionals }, ctx) {
    const { runServeCommand } = await import('./serve-server.ts');
    return runServeCommand([...positionals, '--runs', ctx.runsDir], { out: ctx.out, err: ctx.err });
  },
};
