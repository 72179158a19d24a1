import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { kernel } from '../../assembly/build.mjs';
import { exportedFunctions } from '@anomalab/wasm-kernel';
import { fusedModule } from './kernel.ts';

// The committed build (assembly/build/: fused.wasm, its generated typings fused.d.ts +
// fused.js, fused.meta.json) against the AssemblyScript sources (assembly/**/*.ts), through
// the shared kernel build of @anomalab/wasm-kernel.
describe('committed fused.wasm', () => {
  it('was built from the current AssemblyScript sources (recorded hash) and is the recorded binary and typings', () => {
    expect(kernel.check()).toEqual([]);
  });

  it('rebuilds byte-identically with the installed assemblyscript (module and typings)', () => {
    expect(kernel.rebuildDiffers()).toEqual([]);
  }, 120_000);

  it("exports exactly the functions its typings declare, with the declared parameter counts (kernel.ts's types)", () => {
    const declared = kernel.declaredFunctions();
    const module = fusedModule();
    expect(exportedFunctions(module)).toEqual(declared);
    expect(Object.keys(declared)).toContain('trainWindow');
    expect(WebAssembly.Module.exports(module).filter((e) => e.kind !== 'function')).toEqual([{ name: 'memory', kind: 'memory' }]);
  });

  it.each(['thread-worker.mjs', 'forecast-worker.mjs'])('the plain-JS worker %s calls only exported functions', (file) => {
    const declared = kernel.declaredFunctions();
    const worker = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
    const called = [...new Set([...worker.matchAll(/\bx\.(\w+)\(/g)].map((m) => m[1]))];
    expect(called.length, `${file}: no x.<export>( calls found (instance renamed? update this test)`).toBeGreaterThan(5);
    expect(called.filter((name) => !(name in declared))).toEqual([]);
  });
});
