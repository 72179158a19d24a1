import { readFileSync } from 'node:fs';
import type { Subsequences } from './subsequences.ts';

/** The committed build of ../assembly/mp.ts (rebuild: node packages/models/matrix-profile/assembly/build.mjs). */
export const WASM_URL = new URL('../assembly/build/mp.wasm', import.meta.url);

interface KernelExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  reset(): void;
  abJoin(m: number, nA: number, nB: number, a: number, muA: number, invnA: number, dfA: number, dgA: number, b: number, muB: number, invnB: number, dfB: number, dgB: number, profA: number): void;
  selfJoin(m: number, n: number, excl: number, t: number, mu: number, invn: number, df: number, dg: number, prof: number): void;
}

let compiled: WebAssembly.Module | undefined;

function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(WASM_URL));
  return compiled;
}

/** Arrays read past their end by one SIMD step: every buffer gets this many spare elements. */
const PAD = 16;

/**
 * The WebAssembly engine: largest Pearson correlation per subsequence (before the
 * distance transform and the constant-subsequence convention of ./profile.ts).
 * One instance owns its memory; joins are synchronous and single-threaded.
 */
export class MatrixProfileKernel {
  private readonly x: KernelExports;

  constructor() {
    this.x = new WebAssembly.Instance(kernelModule(), {}).exports as unknown as KernelExports;
  }

  /** For every subsequence of `a`, the largest correlation with any subsequence of `b`. */
  abJoin(a: Subsequences, b: Subsequences): Float64Array {
    if (a.m !== b.m) throw new Error(`abJoin: windows differ (${a.m} vs ${b.m})`);
    this.x.reset();
    const pa = this.load(a);
    const pb = this.load(b);
    const prof = this.alloc(a.count, -Infinity);
    this.x.abJoin(a.m, a.count, b.count, pa.values, pa.mean, pa.invNorm, pa.df, pa.dg, pb.values, pb.mean, pb.invNorm, pb.df, pb.dg, prof);
    return this.read(prof, a.count);
  }

  /** For every subsequence, the largest correlation with a subsequence starting more than `exclusion` rows away. */
  selfJoin(t: Subsequences, exclusion: number): Float64Array {
    this.x.reset();
    const p = this.load(t);
    const prof = this.alloc(t.count, -Infinity);
    this.x.selfJoin(t.m, t.count, exclusion, p.values, p.mean, p.invNorm, p.df, p.dg, prof);
    return this.read(prof, t.count);
  }

  private alloc(length: number, fill: number): number {
    const ptr = this.x.alloc((length + PAD) * 8);
    new Float64Array(this.x.memory.buffer, ptr, length + PAD).fill(fill);
    return ptr;
  }

  private copy(data: Float64Array): number {
    const ptr = this.alloc(data.length, 0);
    new Float64Array(this.x.memory.buffer, ptr, data.length).set(data);
    return ptr;
  }

  private load(s: Subsequences) {
    return { values: this.copy(s.values), mean: this.copy(s.mean), invNorm: this.copy(s.invNorm), df: this.copy(s.df), dg: this.copy(s.dg) };
  }

  private read(ptr: number, length: number): Float64Array {
    return new Float64Array(this.x.memory.buffer, ptr, length).slice();
  }
}
