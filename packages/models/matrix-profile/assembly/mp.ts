// Matrix profile engine (AssemblyScript -> WebAssembly with 128-bit SIMD, f64 lanes).
//
// Exact z-normalised Euclidean matrix profiles by diagonal traversal with running
// covariances (the SCAMP / mpx formulation: Zimmerman et al. 2019, "Matrix Profile XIV"):
// along a diagonal, the covariance of subsequences (i, j) follows from (i-1, j-1) by
//   cov(i, j) = cov(i-1, j-1) + dfA[i] * dgB[j] + dfB[j] * dgA[i]
// with df[i] = (x[i+m-1] - x[i-1]) / 2 and dg[i] = (x[i+m-1] - mu[i]) + (x[i-1] - mu[i-1]).
// The Pearson correlation is cov * invn_i * invn_j (invn = 1 / ||x_i - mu_i||, 0 for a
// constant subsequence); the kernel keeps the largest correlation per subsequence and the
// JS side (../src/profile.ts) turns it into a distance sqrt(2m(1 - rho)) and applies the
// constant-subsequence convention. Everything is f64: the recurrence runs over tens of
// thousands of steps and must stay within 1e-4 of a direct float64 computation.
//
// Eight adjacent diagonals run together (four f64x2 vectors); the step index is the row i,
// so the eight column indices j are contiguous. Row maxima are a horizontal max per step;
// column maxima (self-join) travel in a register shift: lane l of the accumulator holds
// column i + k0 + l, lane 0 is complete after each step and is written out.
// The first cell of every band (and the few cells of its ragged head and tail) come from a
// direct O(m) dot product.
//
// Build: node packages/models/matrix-profile/assembly/build.mjs (checked by src/wasm-build.test.ts).
// Memory: a bump allocator, reset by `reset()` before each join.

let heapTop: usize = 0;

/** Bump allocation (16-byte aligned), growing memory as needed. Freed all at once by `reset`. */
export function alloc(bytes: i32): usize {
  if (heapTop == 0) heapTop = (__heap_base + 15) & ~(<usize>15);
  const ptr = heapTop;
  heapTop = (heapTop + <usize>bytes + 15) & ~(<usize>15);
  const needed = <i32>((heapTop + 0xffff) >> 16);
  const have = memory.size();
  if (needed > have) {
    if (memory.grow(needed - have) < 0) unreachable();
  }
  return ptr;
}

/** Forget every allocation (memory is kept for the next join). */
export function reset(): void {
  heapTop = 0;
}

@inline function ld(base: usize, index: i32): f64 {
  return load<f64>(base + (<usize>index << 3));
}
@inline function st(base: usize, index: i32, value: f64): void {
  store<f64>(base + (<usize>index << 3), value);
}
@inline function vld(base: usize, index: i32): v128 {
  return v128.load(base + (<usize>index << 3));
}
@inline function maxInto(base: usize, index: i32, value: f64): void {
  const p = base + (<usize>index << 3);
  if (value > load<f64>(p)) store<f64>(p, value);
}

/** Covariance sum_k (a[i+k] - muA[i]) (b[j+k] - muB[j]) computed directly. */
function covDirect(m: i32, a: usize, muA: usize, i: i32, b: usize, muB: usize, j: i32): f64 {
  const ma = ld(muA, i);
  const mb = ld(muB, j);
  let s: f64 = 0;
  for (let k = 0; k < m; k++) s += (ld(a, i + k) - ma) * (ld(b, j + k) - mb);
  return s;
}

/**
 * AB-join: for every subsequence i of A (nA of them), the largest correlation with any
 * subsequence j of B (nB of them) into profA[i] (which the caller fills with -Infinity).
 * Arrays: raw values (n + m - 1), mean, invn, df, dg per subsequence, each padded by at
 * least 16 readable elements.
 */
export function abJoin(
  m: i32, nA: i32, nB: i32,
  a: usize, muA: usize, invnA: usize, dfA: usize, dgA: usize,
  b: usize, muB: usize, invnB: usize, dfB: usize, dgB: usize,
  profA: usize,
): void {
  // Diagonal k = j - i runs from -(nA - 1) to nB - 1; band k0 .. k0 + 7.
  for (let k0 = -(nA - 1); k0 < nB; k0 += 8) {
    const iS = max(0, -k0);
    const iE = min(nA, nB - k0 - 7);
    if (k0 + 7 >= nB || iS >= iE) {
      // Ragged last band: every cell directly.
      for (let l = 0; l < 8; l++) {
        const k = k0 + l;
        if (k >= nB) break;
        for (let i = max(0, -k); i < min(nA, nB - k); i++) {
          const j = i + k;
          maxInto(profA, i, covDirect(m, a, muA, i, b, muB, j) * ld(invnA, i) * ld(invnB, j));
        }
      }
      continue;
    }
    // Head: lanes whose diagonal starts before the band's common first row.
    for (let l = 1; l < 8; l++) {
      for (let i = max(0, -k0 - l); i < iS; i++) {
        const j = i + k0 + l;
        maxInto(profA, i, covDirect(m, a, muA, i, b, muB, j) * ld(invnA, i) * ld(invnB, j));
      }
    }
    // Body.
    let j0 = iS + k0;
    let c0 = f64x2(covDirect(m, a, muA, iS, b, muB, j0), covDirect(m, a, muA, iS, b, muB, j0 + 1));
    let c1 = f64x2(covDirect(m, a, muA, iS, b, muB, j0 + 2), covDirect(m, a, muA, iS, b, muB, j0 + 3));
    let c2 = f64x2(covDirect(m, a, muA, iS, b, muB, j0 + 4), covDirect(m, a, muA, iS, b, muB, j0 + 5));
    let c3 = f64x2(covDirect(m, a, muA, iS, b, muB, j0 + 6), covDirect(m, a, muA, iS, b, muB, j0 + 7));
    for (let i = iS; i < iE; i++) {
      const j = i + k0;
      const r0 = f64x2.mul(c0, vld(invnB, j));
      const r1 = f64x2.mul(c1, vld(invnB, j + 2));
      const r2 = f64x2.mul(c2, vld(invnB, j + 4));
      const r3 = f64x2.mul(c3, vld(invnB, j + 6));
      const r = f64x2.pmax(f64x2.pmax(r0, r1), f64x2.pmax(r2, r3));
      maxInto(profA, i, max(f64x2.extract_lane(r, 0), f64x2.extract_lane(r, 1)) * ld(invnA, i));
      // Advance to row i + 1 (reads one element past the band end: arrays are padded).
      const dfi = f64x2.splat(ld(dfA, i + 1));
      const dgi = f64x2.splat(ld(dgA, i + 1));
      c0 = f64x2.add(c0, f64x2.add(f64x2.mul(vld(dgB, j + 1), dfi), f64x2.mul(vld(dfB, j + 1), dgi)));
      c1 = f64x2.add(c1, f64x2.add(f64x2.mul(vld(dgB, j + 3), dfi), f64x2.mul(vld(dfB, j + 3), dgi)));
      c2 = f64x2.add(c2, f64x2.add(f64x2.mul(vld(dgB, j + 5), dfi), f64x2.mul(vld(dfB, j + 5), dgi)));
      c3 = f64x2.add(c3, f64x2.add(f64x2.mul(vld(dgB, j + 7), dfi), f64x2.mul(vld(dfB, j + 7), dgi)));
    }
    // Tail: lanes whose diagonal ends after the band's common last row.
    for (let l = 0; l < 7; l++) {
      const end = min(nA, nB - k0 - l);
      for (let i = iE; i < end; i++) {
        const j = i + k0 + l;
        maxInto(profA, i, covDirect(m, a, muA, i, b, muB, j) * ld(invnA, i) * ld(invnB, j));
      }
    }
  }
}

/**
 * Self-join of one series with n subsequences: prof[i] = the largest correlation with any
 * subsequence j with |i - j| > excl (the caller fills prof with -Infinity).
 */
export function selfJoin(m: i32, n: i32, excl: i32, t: usize, mu: usize, invn: usize, df: usize, dg: usize, prof: usize): void {
  const none = f64x2.splat(-Infinity);
  // Diagonals k = j - i > excl (the upper triangle; the matrix is symmetric).
  for (let k0 = excl + 1; k0 < n; k0 += 8) {
    const iE = n - k0 - 7;
    if (iE <= 0) {
      for (let l = 0; l < 8; l++) {
        const k = k0 + l;
        if (k >= n) break;
        for (let i = 0; i < n - k; i++) {
          const j = i + k;
          const r = covDirect(m, t, mu, i, t, mu, j) * ld(invn, i) * ld(invn, j);
          maxInto(prof, i, r);
          maxInto(prof, j, r);
        }
      }
      continue;
    }
    let c0 = f64x2(covDirect(m, t, mu, 0, t, mu, k0), covDirect(m, t, mu, 0, t, mu, k0 + 1));
    let c1 = f64x2(covDirect(m, t, mu, 0, t, mu, k0 + 2), covDirect(m, t, mu, 0, t, mu, k0 + 3));
    let c2 = f64x2(covDirect(m, t, mu, 0, t, mu, k0 + 4), covDirect(m, t, mu, 0, t, mu, k0 + 5));
    let c3 = f64x2(covDirect(m, t, mu, 0, t, mu, k0 + 6), covDirect(m, t, mu, 0, t, mu, k0 + 7));
    // Column maxima of columns i + k0 .. i + k0 + 7.
    let a0 = none, a1 = none, a2 = none, a3 = none;
    for (let i = 0; i < iE; i++) {
      const j = i + k0;
      const ni = f64x2.splat(ld(invn, i));
      const r0 = f64x2.mul(f64x2.mul(c0, vld(invn, j)), ni);
      const r1 = f64x2.mul(f64x2.mul(c1, vld(invn, j + 2)), ni);
      const r2 = f64x2.mul(f64x2.mul(c2, vld(invn, j + 4)), ni);
      const r3 = f64x2.mul(f64x2.mul(c3, vld(invn, j + 6)), ni);
      const r = f64x2.pmax(f64x2.pmax(r0, r1), f64x2.pmax(r2, r3));
      maxInto(prof, i, max(f64x2.extract_lane(r, 0), f64x2.extract_lane(r, 1)));
      a0 = f64x2.pmax(a0, r0);
      a1 = f64x2.pmax(a1, r1);
      a2 = f64x2.pmax(a2, r2);
      a3 = f64x2.pmax(a3, r3);
      maxInto(prof, j, f64x2.extract_lane(a0, 0));
      a0 = v128.shuffle<f64>(a0, a1, 1, 2);
      a1 = v128.shuffle<f64>(a1, a2, 1, 2);
      a2 = v128.shuffle<f64>(a2, a3, 1, 2);
      a3 = v128.shuffle<f64>(a3, none, 1, 2);
      const dfi = f64x2.splat(ld(df, i + 1));
      const dgi = f64x2.splat(ld(dg, i + 1));
      c0 = f64x2.add(c0, f64x2.add(f64x2.mul(vld(dg, j + 1), dfi), f64x2.mul(vld(df, j + 1), dgi)));
      c1 = f64x2.add(c1, f64x2.add(f64x2.mul(vld(dg, j + 3), dfi), f64x2.mul(vld(df, j + 3), dgi)));
      c2 = f64x2.add(c2, f64x2.add(f64x2.mul(vld(dg, j + 5), dfi), f64x2.mul(vld(df, j + 5), dgi)));
      c3 = f64x2.add(c3, f64x2.add(f64x2.mul(vld(dg, j + 7), dfi), f64x2.mul(vld(df, j + 7), dgi)));
    }
    // Flush the partial column maxima (columns iE + k0 .. iE + k0 + 7).
    const jE = iE + k0;
    maxInto(prof, jE, f64x2.extract_lane(a0, 0));
    maxInto(prof, jE + 1, f64x2.extract_lane(a0, 1));
    maxInto(prof, jE + 2, f64x2.extract_lane(a1, 0));
    maxInto(prof, jE + 3, f64x2.extract_lane(a1, 1));
    maxInto(prof, jE + 4, f64x2.extract_lane(a2, 0));
    maxInto(prof, jE + 5, f64x2.extract_lane(a2, 1));
    maxInto(prof, jE + 6, f64x2.extract_lane(a3, 0));
    // Tail cells of the shorter diagonals.
    for (let l = 0; l < 7; l++) {
      const end = n - k0 - l;
      for (let i = iE; i < end; i++) {
        const j = i + k0 + l;
        const r = covDirect(m, t, mu, i, t, mu, j) * ld(invn, i) * ld(invn, j);
        maxInto(prof, i, r);
        maxInto(prof, j, r);
      }
    }
  }
}
