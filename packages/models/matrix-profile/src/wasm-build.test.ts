import { describe, expect, it } from 'vitest';
import { exportedFunctions } from '@anomalab/wasm-kernel';
import { kernel } from '../assembly/build.mjs';
import { kernelModule } from './kernel.ts';

// The committed build (assembly/build/: mp.wasm, its generated typings mp.d.ts + mp.js,
// mp.meta.json) against the AssemblyScript source (assembly/mp.ts), through the shared
// kernel build of @anomalab/wasm-kernel.
describe('committed mp.wasm', () => {
  it('was built from the current AssemblyScript source (recorded hash) and is the recorded binary and typings', () => {
    expect(kernel.check()).toEqual([]);
  });

  it('rebuilds byte-identically with the installed assemblyscript (module and typings)', () => {
    expect(kernel.rebuildDiffers()).toEqual([]);
  }, 120_000);

  it('exports exactly the functions its typings declare (kernel.ts uses them)', () => {
    const declared = kernel.declaredFunctions();
    expect(exportedFunctions(kernelModule())).toEqual(declared);
    expect(Object.keys(declared).sort()).toEqual(['abJoin', 'alloc', 'reset', 'selfJoin']);
  });
});
