#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx (no build step). The repository's
// tsconfig is passed explicitly so decorators compile the same from any working directory.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)) });
const { main } = await import('../src/main.ts');
const { dropOutputOnClosedPipe } = await import('../src/quiet-epipe.ts');
dropOutputOnClosedPipe(process.stdout);
dropOutputOnClosedPipe(process.stderr);
process.exitCode = await main(process.argv.slice(2));
