/**
 * Small dense linear algebra in float64 for covariance matrices (n up to a few hundred).
 */

/** Cholesky factor L (row-major, lower) of a symmetric positive definite matrix, or null. */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(sum > 0) || !Number.isFinite(sum)) return null;
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j]!;
      }
    }
  }
  return l;
}

/** |L^-1 d|^2 = d^T (L L^T)^-1 d by forward substitution; `scratch` has length n. */
export function mahalanobisSquared(l: Float64Array, n: number, d: Float64Array, scratch: Float64Array): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    let sum = d[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * scratch[k]!;
    const y = sum / l[i * n + i]!;
    scratch[i] = y;
    total += y * y;
  }
  return total;
}

/**
 * Cholesky with a growing ridge when the matrix is singular (e.g. a constant channel):
 * tries ridge 0, then 1e-10, 1e-9, ... times the mean diagonal (at least 1e-12).
 * Returns the factor and the ridge actually added, which callers record.
 */
export function choleskyWithRidge(a: Float64Array, n: number): { factor: Float64Array; ridge: number } {
  let factor = cholesky(a, n);
  if (factor) return { factor, ridge: 0 };
  let trace = 0;
  for (let i = 0; i < n; i++) trace += Math.abs(a[i * n + i]!);
  const scale = Math.max(trace / n, 1e-12);
  for (let exp = -10; exp <= 2; exp++) {
    const ridge = scale * 10 ** exp;
    const b = Float64Array.from(a);
    for (let i = 0; i < n; i++) b[i * n + i] = b[i * n + i]! + ridge;
    factor = cholesky(b, n);
    if (factor) return { factor, ridge };
  }
  throw new Error('covariance matrix is not positive definite even with a ridge (non-finite errors?)');
}
