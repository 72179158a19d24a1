// Dense products over f32 buffers (row-major, strides in floats): a 4x8 register-blocked
// f32x4 GEMM (gemmBlock; block4x8 for rows packed four to a step) and its drivers for the
// forward pass (panel-packed weights), the weight gradients (A^T D over all steps x lanes)
// and few-column products (decoder). f32x4 multiply then add (no FMA in 128-bit WebAssembly
// SIMD): each output is its start value (0, bias or the old value) plus its products in k
// order, in every kernel here; that order is part of the engine's numbers, and any blocking
// or packing that keeps it gives the same bits.
import { allocF, fp, ld, st } from './memory';
import { hsum } from './math';

/**
 * out[r, c] (+)= sum_k A[r*ars + k*aks] * Bm[k*ldb + c] for r < M, c < N, k < K.
 * acc = false: out is overwritten (with `bias[c]` added when bias != 0).
 * Strides in floats. gemm_nn: ars = lda, aks = 1; A^T B: ars = 1, aks = lda.
 */
export function gemm(M: i32, N: i32, K: i32, A: usize, ars: i32, aks: i32, Bm: usize, ldb: i32, O: usize, ldo: i32, acc: bool, bias: usize): void {
  // Long reductions (weight gradients over all steps x lanes) in chunks whose operands stay in cache.
  const chunk = 256;
  if (K <= 2 * chunk) {
    gemmBlock(M, N, K, A, ars, aks, Bm, ldb, O, ldo, acc, bias);
    return;
  }
  for (let k0 = 0; k0 < K; k0 += chunk) {
    const kc = K - k0 < chunk ? K - k0 : chunk;
    gemmBlock(M, N, kc, fp(A, k0 * aks), ars, aks, fp(Bm, k0 * ldb), ldb, O, ldo, acc || k0 > 0, k0 > 0 ? 0 : bias);
  }
}

const TN_KC = 128;
const TN_NC = 64;
let tnA: usize = 0, tnA_cap = 0, tnB: usize = 0;

/**
 * Weight gradients: O[M, N] += A^T D with A [K, M] (row stride lda) and D [K, N] (row
 * stride ldd), K = steps x lanes (thousands). Both operands are copied per block of TN_KC
 * rows into contiguous panels first: with row strides of 1-2 KB (E = H = 128) the strided
 * blocks map onto a few L1 sets and thrash. Row / column tails go through gemm.
 */
export function gemmTN(M: i32, N: i32, K: i32, A: usize, lda: i32, D: usize, ldd: i32, O: usize, ldo: i32): void {
  const M4 = M & ~3;
  const N8 = N & ~7;
  if (M4 > 0 && N8 > 0) {
    if (tnA_cap < M4 * TN_KC) {
      tnA = allocF(M4 * TN_KC);
      tnA_cap = M4 * TN_KC;
    }
    if (tnB == 0) tnB = allocF(TN_KC * TN_NC);
    for (let k0 = 0; k0 < K; k0 += TN_KC) {
      const kc = K - k0 < TN_KC ? K - k0 : TN_KC;
      // A^T rows r..r+3 at step k -> tnA[(r/4 * kc + k) * 4 + i]
      for (let k = 0; k < kc; k++) {
        const src = fp(A, (k0 + k) * lda);
        for (let r = 0; r < M4; r += 4) v128.store(fp(tnA, ((r >> 2) * kc + k) * 4), v128.load(fp(src, r)));
      }
      for (let c0 = 0; c0 < N8; c0 += TN_NC) {
        const nc = N8 - c0 < TN_NC ? N8 - c0 : TN_NC;
        for (let k = 0; k < kc; k++) {
          const src = fp(D, (k0 + k) * ldd + c0);
          const dst = fp(tnB, k * nc);
          for (let j = 0; j < nc; j += 4) v128.store(fp(dst, j), v128.load(fp(src, j)));
        }
        for (let r = 0; r < M4; r += 4) {
          const ap = fp(tnA, (r >> 2) * kc * 4);
          for (let c = 0; c < nc; c += 8) block4x8(kc, ap, fp(tnB, c), <usize>nc << 2, fp(O, r * ldo + c0 + c), <usize>ldo << 2, true, 0);
        }
      }
    }
  }
  if (N8 < N && M4 > 0) gemm(M4, N - N8, K, A, 1, lda, fp(D, N8), ldd, fp(O, N8), ldo, true, 0);
  if (M4 < M) gemm(M - M4, N, K, fp(A, M4), 1, lda, D, ldd, fp(O, M4 * ldo), ldo, true, 0);
}

export function gemmBlock(M: i32, N: i32, K: i32, A: usize, ars: i32, aks: i32, Bm: usize, ldb: i32, O: usize, ldo: i32, acc: bool, bias: usize): void {
  const zero = f32x4.splat(0);
  let r = 0;
  for (; r + 4 <= M; r += 4) {
    const a0 = fp(A, r * ars);
    const a1 = fp(A, (r + 1) * ars);
    const a2 = fp(A, (r + 2) * ars);
    const a3 = fp(A, (r + 3) * ars);
    const o0 = fp(O, r * ldo);
    const o1 = fp(O, (r + 1) * ldo);
    const o2 = fp(O, (r + 2) * ldo);
    const o3 = fp(O, (r + 3) * ldo);
    let c = 0;
    for (; c + 8 <= N; c += 8) {
      let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
      if (acc) {
        c00 = v128.load(fp(o0, c)); c01 = v128.load(fp(o0, c + 4));
        c10 = v128.load(fp(o1, c)); c11 = v128.load(fp(o1, c + 4));
        c20 = v128.load(fp(o2, c)); c21 = v128.load(fp(o2, c + 4));
        c30 = v128.load(fp(o3, c)); c31 = v128.load(fp(o3, c + 4));
      } else if (bias != 0) {
        c00 = v128.load(fp(bias, c)); c01 = v128.load(fp(bias, c + 4));
        c10 = c00; c11 = c01; c20 = c00; c21 = c01; c30 = c00; c31 = c01;
      } else {
        c00 = zero; c01 = zero; c10 = zero; c11 = zero; c20 = zero; c21 = zero; c30 = zero; c31 = zero;
      }
      let bp = fp(Bm, c);
      const bstep = <usize>ldb << 2;
      const astep = <usize>aks << 2;
      let ka: usize = 0;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        const x0 = v128.load32_splat(a0 + ka);
        const x1 = v128.load32_splat(a1 + ka);
        const x2 = v128.load32_splat(a2 + ka);
        const x3 = v128.load32_splat(a3 + ka);
        c00 = f32x4.add(c00, f32x4.mul(x0, b0)); c01 = f32x4.add(c01, f32x4.mul(x0, b1));
        c10 = f32x4.add(c10, f32x4.mul(x1, b0)); c11 = f32x4.add(c11, f32x4.mul(x1, b1));
        c20 = f32x4.add(c20, f32x4.mul(x2, b0)); c21 = f32x4.add(c21, f32x4.mul(x2, b1));
        c30 = f32x4.add(c30, f32x4.mul(x3, b0)); c31 = f32x4.add(c31, f32x4.mul(x3, b1));
        bp += bstep;
        ka += astep;
      }
      v128.store(fp(o0, c), c00); v128.store(fp(o0, c + 4), c01);
      v128.store(fp(o1, c), c10); v128.store(fp(o1, c + 4), c11);
      v128.store(fp(o2, c), c20); v128.store(fp(o2, c + 4), c21);
      v128.store(fp(o3, c), c30); v128.store(fp(o3, c + 4), c31);
    }
    for (; c + 4 <= N; c += 4) {
      let c0: v128, c1: v128, c2: v128, c3: v128;
      if (acc) {
        c0 = v128.load(fp(o0, c)); c1 = v128.load(fp(o1, c)); c2 = v128.load(fp(o2, c)); c3 = v128.load(fp(o3, c));
      } else if (bias != 0) {
        c0 = v128.load(fp(bias, c)); c1 = c0; c2 = c0; c3 = c0;
      } else {
        c0 = zero; c1 = zero; c2 = zero; c3 = zero;
      }
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(fp(Bm, k * ldb + c));
        const ka = k * aks;
        c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(fp(a0, ka)), b0));
        c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(fp(a1, ka)), b0));
        c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(fp(a2, ka)), b0));
        c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(fp(a3, ka)), b0));
      }
      v128.store(fp(o0, c), c0); v128.store(fp(o1, c), c1); v128.store(fp(o2, c), c2); v128.store(fp(o3, c), c3);
    }
    for (; c < N; c++) {
      let s0: f32, s1: f32, s2: f32, s3: f32;
      if (acc) {
        s0 = ld(o0, c); s1 = ld(o1, c); s2 = ld(o2, c); s3 = ld(o3, c);
      } else if (bias != 0) {
        s0 = ld(bias, c); s1 = s0; s2 = s0; s3 = s0;
      } else {
        s0 = 0; s1 = 0; s2 = 0; s3 = 0;
      }
      for (let k = 0; k < K; k++) {
        const b = ld(Bm, k * ldb + c);
        const ka = k * aks;
        s0 += ld(a0, ka) * b; s1 += ld(a1, ka) * b; s2 += ld(a2, ka) * b; s3 += ld(a3, ka) * b;
      }
      st(o0, c, s0); st(o1, c, s1); st(o2, c, s2); st(o3, c, s3);
    }
  }
  for (; r < M; r++) {
    const a0 = fp(A, r * ars);
    const o0 = fp(O, r * ldo);
    let c = 0;
    for (; c + 4 <= N; c += 4) {
      let c0: v128 = acc ? v128.load(fp(o0, c)) : bias != 0 ? v128.load(fp(bias, c)) : zero;
      for (let k = 0; k < K; k++) c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(fp(a0, k * aks)), v128.load(fp(Bm, k * ldb + c))));
      v128.store(fp(o0, c), c0);
    }
    for (; c < N; c++) {
      let s0: f32 = acc ? ld(o0, c) : bias != 0 ? ld(bias, c) : <f32>0;
      for (let k = 0; k < K; k++) s0 += ld(a0, k * aks) * ld(Bm, k * ldb + c);
      st(o0, c, s0);
    }
  }
}

let rowsA: usize = 0, rowsA_cap = 0;

/**
 * packRows4's scratch for products of up to `rows` x `cols` (gemmPanels' M x K), allocated
 * with the instance's other buffers: growing the memory later would detach the JS side's
 * views of it.
 */
export function reservePackedRows(rows: i32, cols: i32): void {
  const need = (rows & ~3) * cols;
  if (rowsA_cap < need) {
    rowsA = allocF(need);
    rowsA_cap = need;
  }
}

/**
 * Rows [0, M4) of A [M4, K] (row stride lda; M4 a multiple of 4) four at a time into a scratch
 * panel per block of 4 rows, [K, 4] each: out[(r / 4 * K + k) * 4 + i] = A[r + i, k]. Returns
 * the scratch (valid until the next call).
 */
function packRows4(M4: i32, K: i32, A: usize, lda: i32): usize {
  reservePackedRows(M4, K); // a no-op after the reservations of ./layout.ts and ./forecast.ts
  const K4 = K & ~3;
  for (let r = 0; r < M4; r += 4) {
    const a0 = fp(A, r * lda);
    const a1 = fp(a0, lda);
    const a2 = fp(a1, lda);
    const a3 = fp(a2, lda);
    const dst = fp(rowsA, r * K);
    let k = 0;
    for (; k < K4; k += 4) {
      // 4 x 4 transpose: rows r..r+3, columns k..k+3 -> 4 steps of 4 rows.
      const v0 = v128.load(fp(a0, k)), v1 = v128.load(fp(a1, k)), v2 = v128.load(fp(a2, k)), v3 = v128.load(fp(a3, k));
      const t0 = i32x4.shuffle(v0, v1, 0, 4, 1, 5), t1 = i32x4.shuffle(v2, v3, 0, 4, 1, 5);
      const t2 = i32x4.shuffle(v0, v1, 2, 6, 3, 7), t3 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
      const d = fp(dst, k * 4);
      v128.store(d, i64x2.shuffle(t0, t1, 0, 2));
      v128.store(d, i64x2.shuffle(t0, t1, 1, 3), 16);
      v128.store(d, i64x2.shuffle(t2, t3, 0, 2), 32);
      v128.store(d, i64x2.shuffle(t2, t3, 1, 3), 48);
    }
    for (; k < K; k++) {
      const d = fp(dst, k * 4);
      st(d, 0, ld(a0, k)); st(d, 1, ld(a1, k)); st(d, 2, ld(a2, k)); st(d, 3, ld(a3, k));
    }
  }
  return rowsA;
}

/**
 * gemmBlock's 4 x 8 block with the four rows packed by step: o[i, 0:8] (+)= sum_k ap[k * 4 + i]
 * * bp[k, 0:8] (B rows bstep bytes apart, O rows ldo4 bytes apart). The rows' four values of a
 * step sit at constant offsets of one pointer, so the loop is two pointer bumps, six loads and
 * the 16 SIMD operations, without gemmBlock's per-row address arithmetic (that loop issued
 * more instructions per step than its SIMD work needs: the default forward products run ~16 %
 * faster this way; the same sums in the same order).
 */
function block4x8(K: i32, ap: usize, bp0: usize, bstep: usize, o: usize, ldo4: usize, acc: bool, bias: usize): void {
  const o1 = o + ldo4;
  const o2 = o1 + ldo4;
  const o3 = o2 + ldo4;
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
  if (acc) {
    c00 = v128.load(o); c01 = v128.load(o, 16);
    c10 = v128.load(o1); c11 = v128.load(o1, 16);
    c20 = v128.load(o2); c21 = v128.load(o2, 16);
    c30 = v128.load(o3); c31 = v128.load(o3, 16);
  } else if (bias != 0) {
    c00 = v128.load(bias); c01 = v128.load(bias, 16);
    c10 = c00; c11 = c01; c20 = c00; c21 = c01; c30 = c00; c31 = c01;
  } else {
    const zero = f32x4.splat(0);
    c00 = zero; c01 = zero; c10 = zero; c11 = zero; c20 = zero; c21 = zero; c30 = zero; c31 = zero;
  }
  let bp = bp0;
  let pa = ap;
  const end = ap + (<usize>K << 4);
  while (pa < end) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const x0 = v128.load32_splat(pa);
    const x1 = v128.load32_splat(pa, 4);
    const x2 = v128.load32_splat(pa, 8);
    const x3 = v128.load32_splat(pa, 12);
    c00 = f32x4.add(c00, f32x4.mul(x0, b0)); c01 = f32x4.add(c01, f32x4.mul(x0, b1));
    c10 = f32x4.add(c10, f32x4.mul(x1, b0)); c11 = f32x4.add(c11, f32x4.mul(x1, b1));
    c20 = f32x4.add(c20, f32x4.mul(x2, b0)); c21 = f32x4.add(c21, f32x4.mul(x2, b1));
    c30 = f32x4.add(c30, f32x4.mul(x3, b0)); c31 = f32x4.add(c31, f32x4.mul(x3, b1));
    bp += bstep;
    pa += 16;
  }
  v128.store(o, c00); v128.store(o, c01, 16);
  v128.store(o1, c10); v128.store(o1, c11, 16);
  v128.store(o2, c20); v128.store(o2, c21, 16);
  v128.store(o3, c30); v128.store(o3, c31, 16);
}

/**
 * Copy columns [0, N & ~7) of B [K, N] (row stride ldb) into panels of 8 columns, each
 * [K, 8] contiguous: Bp[(p * pstride) + k * 8 + j] = B[k, 8p + j].
 */
export function pack8(Bm: usize, ldb: i32, K: i32, N: i32, Bp: usize, pstride: i32): void {
  const panels = N >> 3;
  for (let p = 0; p < panels; p++) {
    for (let k = 0; k < K; k++) {
      const src = fp(Bm, k * ldb + p * 8);
      const dst = fp(Bp, p * pstride + k * 8);
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load(src, 16), 16);
    }
  }
}

/**
 * O[M, N] = A[M, K] @ B (+ bias) with B given as 8-column panels (pack8, panel stride
 * pstride) for the first N & ~7 columns and as Bm (row stride ldb) for the rest. One panel
 * at a time over all rows: the panel stays in L1 (row-major weights with 1-2 KB rows at
 * E = H = 128 otherwise fall onto a few L1 sets). The rows of A are packed four to a step
 * once (packRows4: M x K copies against M x N x K products) for block4x8.
 */
export function gemmPanels(M: i32, N: i32, K: i32, A: usize, lda: i32, Bp: usize, pstride: i32, Bm: usize, ldb: i32, O: usize, ldo: i32, bias: usize): void {
  const N8 = N & ~7;
  const M4 = M & ~3;
  if (M4 > 0 && N8 > 0) {
    const ap = packRows4(M4, K, A, lda);
    const ldo4 = <usize>ldo << 2;
    for (let c = 0; c < N8; c += 8) {
      const panel = fp(Bp, (c >> 3) * pstride);
      const b = bias != 0 ? fp(bias, c) : 0;
      for (let r = 0; r < M4; r += 4) block4x8(K, fp(ap, r * K), panel, 32, fp(O, r * ldo + c), ldo4, false, b);
    }
  }
  for (let r = M4; r < M; r++) panelRow(N8, K, fp(A, r * lda), Bp, pstride, fp(O, r * ldo), bias);
  if (N8 < N) gemmBlock(M, N - N8, K, A, lda, 1, fp(Bm, N8), ldb, fp(O, N8), ldo, false, bias != 0 ? fp(bias, N8) : 0);
}

/**
 * One row (the rows past the last block of 4, e.g. a stream's single row): o[0:N8] = a @ B
 * (+ bias) over four panels at a time, eight independent accumulators instead of gemmBlock's
 * one or two per row, which leave a one-row product waiting on the add latency. Each output
 * is still bias + a[0] b[0] + a[1] b[1] + ... in k order, as gemmBlock sums it: the same bits.
 */
function panelRow(N8: i32, K: i32, a: usize, Bp: usize, pstride: i32, o: usize, bias: usize): void {
  const zero = f32x4.splat(0);
  const pbytes = <usize>pstride << 2;
  let c = 0;
  for (; c + 32 <= N8; c += 32) {
    let p = fp(Bp, (c >> 3) * pstride);
    let s0 = zero, s1 = zero, s2 = zero, s3 = zero, s4 = zero, s5 = zero, s6 = zero, s7 = zero;
    if (bias != 0) {
      const b = fp(bias, c);
      s0 = v128.load(b); s1 = v128.load(b, 16); s2 = v128.load(b, 32); s3 = v128.load(b, 48);
      s4 = v128.load(b, 64); s5 = v128.load(b, 80); s6 = v128.load(b, 96); s7 = v128.load(b, 112);
    }
    for (let k = 0; k < K; k++) {
      const x = v128.load32_splat(fp(a, k));
      const p1 = p + pbytes;
      const p2 = p1 + pbytes;
      const p3 = p2 + pbytes;
      s0 = f32x4.add(s0, f32x4.mul(x, v128.load(p))); s1 = f32x4.add(s1, f32x4.mul(x, v128.load(p, 16)));
      s2 = f32x4.add(s2, f32x4.mul(x, v128.load(p1))); s3 = f32x4.add(s3, f32x4.mul(x, v128.load(p1, 16)));
      s4 = f32x4.add(s4, f32x4.mul(x, v128.load(p2))); s5 = f32x4.add(s5, f32x4.mul(x, v128.load(p2, 16)));
      s6 = f32x4.add(s6, f32x4.mul(x, v128.load(p3))); s7 = f32x4.add(s7, f32x4.mul(x, v128.load(p3, 16)));
      p += 32;
    }
    v128.store(fp(o, c), s0); v128.store(fp(o, c + 4), s1); v128.store(fp(o, c + 8), s2); v128.store(fp(o, c + 12), s3);
    v128.store(fp(o, c + 16), s4); v128.store(fp(o, c + 20), s5); v128.store(fp(o, c + 24), s6); v128.store(fp(o, c + 28), s7);
  }
  for (; c < N8; c += 8) gemmBlock(1, 8, K, a, 0, 1, fp(Bp, (c >> 3) * pstride), 8, fp(o, c), 0, false, bias != 0 ? fp(bias, c) : 0);
}

/** out[c] += sum_r D[r*ldd + c]. */
export function colsumAcc(M: i32, N: i32, D: usize, ldd: i32, out: usize): void {
  // Four rows per pass with the column sums held in registers: each column still adds its
  // rows in order (the same sums as one row at a time), with a quarter of the loads and
  // stores of `out`.
  let r = 0;
  for (; r + 4 <= M; r += 4) {
    const d0 = fp(D, r * ldd);
    const d1 = fp(D, (r + 1) * ldd);
    const d2 = fp(D, (r + 2) * ldd);
    const d3 = fp(D, (r + 3) * ldd);
    let c = 0;
    for (; c + 4 <= N; c += 4) {
      let acc = f32x4.add(v128.load(fp(out, c)), v128.load(fp(d0, c)));
      acc = f32x4.add(acc, v128.load(fp(d1, c)));
      acc = f32x4.add(acc, v128.load(fp(d2, c)));
      v128.store(fp(out, c), f32x4.add(acc, v128.load(fp(d3, c))));
    }
    for (; c < N; c++) st(out, c, ld(out, c) + ld(d0, c) + ld(d1, c) + ld(d2, c) + ld(d3, c));
  }
  for (; r < M; r++) {
    const d = fp(D, r * ldd);
    let c = 0;
    for (; c + 4 <= N; c += 4) v128.store(fp(out, c), f32x4.add(v128.load(fp(out, c)), v128.load(fp(d, c))));
    for (; c < N; c++) st(out, c, ld(out, c) + ld(d, c));
  }
}

/**
 * Few outputs per row (N = channels): out[r, c] = bias[c] + dot(A[r, 0:K], Bt[c, 0:K]) with
 * Bt the transposed weight ([N, K], row stride K): SIMD along K instead of the scalar
 * column tail of gemm.
 */
export function dotRows(M: i32, N: i32, K: i32, A: usize, lda: i32, Bt: usize, O: usize, bias: usize): void {
  for (let r = 0; r < M; r++) {
    const a = fp(A, r * lda);
    for (let c = 0; c < N; c++) {
      const b = fp(Bt, c * K);
      let acc = f32x4.splat(0);
      let k = 0;
      for (; k + 4 <= K; k += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(fp(a, k)), v128.load(fp(b, k))));
      let sum = hsum(acc);
      for (; k < K; k++) sum += ld(a, k) * ld(b, k);
      st(O, r * N + c, (bias != 0 ? ld(bias, c) : <f32>0) + sum);
    }
  }
}

/** out[k, c] += sum_r A[r, k] * D[r, c] for few columns N, SIMD along K (scratch [N, K] zeroed here). */
export function outerAccSmallN(M: i32, N: i32, K: i32, A: usize, D: usize, out: usize, scratch: usize): void {
  memory.fill(scratch, 0, <usize>(N * K) << 2);
  for (let r = 0; r < M; r++) {
    const a = fp(A, r * K);
    for (let c = 0; c < N; c++) {
      const d = f32x4.splat(ld(D, r * N + c));
      const sRow = fp(scratch, c * K);
      let k = 0;
      for (; k + 4 <= K; k += 4) v128.store(fp(sRow, k), f32x4.add(v128.load(fp(sRow, k)), f32x4.mul(d, v128.load(fp(a, k)))));
      for (; k < K; k++) st(sRow, k, ld(sRow, k) + ld(D, r * N + c) * ld(a, k));
    }
  }
  for (let k = 0; k < K; k++) for (let c = 0; c < N; c++) st(out, k * N + c, ld(out, k * N + c) + ld(scratch, c * K + k));
}
