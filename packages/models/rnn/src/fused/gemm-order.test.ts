import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineKernel } from '@anomalab/wasm-kernel';
import { kernel } from '../../assembly/build.mjs';

// The fused engine's numbers rest on one property of its dense products (assembly/gemm.ts):
// each output is its start value (0, the bias or the old value) plus its products a * b added
// one at a time in k order, in float32. Blocking, packing and register tiles may change, that
// order may not (it would change every trained weight). The kernel's products, compiled alone
// with the kernel's flags, against that sum written out in JS (Math.fround after each
// operation), bit for bit, over shapes that reach every path: row and column tails, K tails of
// the 4 x 4 packing, gemm's K chunks (K > 512) and gemmTN's K blocks (K > 128).

interface Probe {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  gemm(M: number, N: number, K: number, A: number, ars: number, aks: number, B: number, ldb: number, O: number, ldo: number, acc: number, bias: number): void;
  gemmPanels(M: number, N: number, K: number, A: number, lda: number, Bp: number, pstride: number, B: number, ldb: number, O: number, ldo: number, bias: number): void;
  gemmTN(M: number, N: number, K: number, A: number, lda: number, D: number, ldd: number, O: number, ldo: number): void;
  pack8(B: number, ldb: number, K: number, N: number, Bp: number, pstride: number): void;
  reservePackedRows(rows: number, cols: number): void;
}

const f = Math.fround;
let probe: Probe;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gemm-probe-'));
  const spec = { dir: fileURLToPath(new URL('../../test/assembly/', import.meta.url)), entry: 'gemm-probe.ts', name: 'gemm-probe', flags: kernel.flags };
  defineKernel(spec).build(dir);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(join(dir, 'gemm-probe.wasm'))), {});
  probe = instance.exports as unknown as Probe;
  probe.reservePackedRows(64, 700); // every gemmPanels below: the scratch never grows mid-test
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic values over 2^-8 .. 2^8 (so that the order of the additions shows in the bits). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Float32Array.from({ length: n }, () => (next() - 0.5) * 2 ** Math.floor(next() * 17 - 8));
}

/** A buffer in the probe's memory holding `data` (views made after the allocation). */
function put(data: Float32Array): number {
  const ptr = probe.alloc(data.length * 4 + 16);
  new Float32Array(probe.memory.buffer, ptr, data.length).set(data);
  return ptr;
}
const read = (ptr: number, n: number) => new Float32Array(probe.memory.buffer, ptr, n).slice();

/** start + a(0) b(0) + a(1) b(1) + ... in float32, one operation at a time. */
function inOrder(start: number, K: number, a: (k: number) => number, b: (k: number) => number): number {
  let s = f(start);
  for (let k = 0; k < K; k++) s = f(s + f(a(k) * b(k)));
  return s;
}

/** Indices where got and want differ as float32 bit patterns. */
function differing(got: Float32Array, want: Float32Array): number[] {
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  const out: number[] = [];
  for (let i = 0; i < w.length; i++) if (g[i] !== w[i]) out.push(i);
  return out;
}

describe('fused kernel dense products: each output sums its products in k order (float32, bit for bit)', () => {
  it.each([
    [128, 128, 64],
    [128, 64, 128],
    [9, 19, 7],
    [4, 8, 1],
    [13, 57, 30],
    [1, 40, 33],
    [6, 5, 3],
  ])('gemmPanels (pack8 weights, rows packed four to a step): M %i, N %i, K %i, with and without bias', (M, N, K) => {
    const lda = K + 3;
    const ldb = N + 1;
    const A = values(M * lda, M * 7 + K);
    const B = values(K * ldb, N * 13 + K);
    const bias = values(N, 5);
    const pstride = K * 8 + 4;
    const aPtr = put(A);
    const bPtr = put(B);
    const biasPtr = put(bias);
    const panels = probe.alloc(Math.max(1, N >> 3) * pstride * 4);
    probe.pack8(bPtr, ldb, K, N, panels, pstride);
    for (const withBias of [true, false]) {
      const ldo = N + 2;
      const oPtr = probe.alloc(M * ldo * 4);
      probe.gemmPanels(M, N, K, aPtr, lda, panels, pstride, bPtr, ldb, oPtr, ldo, withBias ? biasPtr : 0);
      const got = read(oPtr, M * ldo);
      const want = new Float32Array(M * ldo);
      for (let r = 0; r < M; r++) {
        for (let c = 0; c < N; c++) want[r * ldo + c] = inOrder(withBias ? bias[c]! : 0, K, (k) => A[r * lda + k]!, (k) => B[k * ldb + c]!);
      }
      expect(differing(got, want)).toEqual([]);
    }
  });

  it.each([
    [64, 128, 400],
    [10, 24, 300],
    [7, 19, 129],
    [3, 5, 17],
  ])('gemmTN (A^T D accumulated onto O, the weight gradients): M %i, N %i, K %i', (M, N, K) => {
    const lda = M + 1;
    const ldd = N + 3;
    const ldo = N + 1;
    const A = values(K * lda, 11 + M);
    const D = values(K * ldd, 17 + N);
    const O0 = values(M * ldo, 23);
    const aPtr = put(A);
    const dPtr = put(D);
    const oPtr = put(O0);
    probe.gemmTN(M, N, K, aPtr, lda, dPtr, ldd, oPtr, ldo);
    const got = read(oPtr, M * ldo);
    const want = O0.slice();
    for (let r = 0; r < M; r++) {
      for (let c = 0; c < N; c++) want[r * ldo + c] = inOrder(O0[r * ldo + c]!, K, (k) => A[k * lda + r]!, (k) => D[k * ldd + c]!);
    }
    expect(differing(got, want)).toEqual([]);
  });

  it.each([
    [6, 13, 700, false],
    [5, 9, 600, true],
    [128, 32, 2, false],
  ])('gemm (strided A, K chunks of 256 past 512): M %i, N %i, K %i, accumulate %s', (M, N, K, acc) => {
    const ars = 1;
    const aks = M + 2; // A^T layout: row r at r, step k at k * aks
    const ldb = N + 1;
    const ldo = N;
    const A = values(K * aks, 31);
    const B = values(K * ldb, 37);
    const O0 = values(M * ldo, 41);
    const bias = values(N, 43);
    const aPtr = put(A);
    const bPtr = put(B);
    const oPtr = put(O0);
    const biasPtr = put(bias);
    probe.gemm(M, N, K, aPtr, ars, aks, bPtr, ldb, oPtr, ldo, acc ? 1 : 0, acc ? 0 : biasPtr);
    const got = read(oPtr, M * ldo);
    const want = new Float32Array(M * ldo);
    for (let r = 0; r < M; r++) {
      for (let c = 0; c < N; c++) want[r * ldo + c] = inOrder(acc ? O0[r * ldo + c]! : bias[c]!, K, (k) => A[k * aks + r * ars]!, (k) => B[k * ldb + c]!);
    }
    expect(differing(got, want)).toEqual([]);
  });

  it('the values tell the orders apart: summing k backwards changes most outputs (so the tests above can fail)', () => {
    const K = 64;
    const A = values(32 * K, 3);
    const B = values(K * 8, 4);
    let changed = 0;
    for (let r = 0; r < 32; r++) {
      for (let c = 0; c < 8; c++) {
        const forward = inOrder(0, K, (k) => A[r * K + k]!, (k) => B[k * 8 + c]!);
        const backward = inOrder(0, K, (k) => A[r * K + K - 1 - k]!, (k) => B[(K - 1 - k) * 8 + c]!);
        if (forward !== backward) changed++;
      }
    }
    expect(changed).toBeGreaterThan(0.5 * 32 * 8);
  });
});
