#!/usr/bin/env node
// `anomalab serve` without the CLI: runs the TypeScript sources through tsx (no build step),
// with the repository's tsconfig so decorators compile the same from any working directory.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)) });
const { runServeCommand } = await import('../src/index.ts');
process.exitCode = await runServeCommand(process.argv.slice(2));
