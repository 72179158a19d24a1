// The matrix profile engine's AssemblyScript kernel: every .ts file in this folder, entry
// mp.ts; committed build in build/ (module, generated typings, meta with hashes). Build and
// checks: @anomalab/wasm-kernel (packages/tools/wasm-kernel); the test is src/wasm-build.test.ts.
//   node packages/models/matrix-profile/assembly/build.mjs            rebuild build/
//   node packages/models/matrix-profile/assembly/build.mjs --out DIR  build into DIR only
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineKernel, isMain } from '@anomalab/wasm-kernel';

export const kernel = defineKernel({
  dir: dirname(fileURLToPath(import.meta.url)),
  entry: 'mp.ts',
  name: 'mp',
  flags: ['-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd', '--use', 'abort=', '--initialMemory', '1'],
});

if (isMain(import.meta.url)) kernel.main();
