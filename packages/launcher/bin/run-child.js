#!/usr/bin/env node
// Child process of the local launcher: runs one experiment (see src/run-child.ts). Runs the
// TypeScript sources through tsx with the repository's tsconfig, like the CLI's bin.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)) });
await import('../src/run-child.ts');
