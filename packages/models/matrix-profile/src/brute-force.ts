/**
 * The definition the engine is tested against: nearest-neighbour distances between
 * explicitly z-normalised subsequences in float64, O(n^2 m). Same conventions as
 * ./profile.ts (constant subsequences, exclusion zone). For tests only: far too slow for
 * real series.
 */
export function bruteForceProfile(a: ArrayLike<number>, b: ArrayLike<number> | null, m: number, exclusion = 0): Float64Array {
  const normalise = (x: ArrayLike<number>) => {
    const subs: { z: Float64Array; constant: boolean }[] = [];
    for (let i = 0; i + m <= x.length; i++) {
      const w = Float64Array.from({ length: m }, (_, k) => x[i + k]!);
      const constant = w.every((v) => v === w[0]);
      const mean = w.reduce((s, v) => s + v, 0) / m;
      const std = Math.sqrt(w.reduce((s, v) => s + (v - mean) ** 2, 0) / m);
      subs.push({ z: constant ? w : w.map((v) => (v - mean) / std), constant });
    }
    return subs;
  };
  const A = normalise(a);
  const B = b ? normalise(b) : A;
  const out = new Float64Array(A.length);
  for (let i = 0; i < A.length; i++) {
    let best = Infinity;
    for (let j = 0; j < B.length; j++) {
      if (!b && Math.abs(i - j) <= exclusion) continue;
      let d: number;
      if (A[i]!.constant || B[j]!.constant) d = A[i]!.constant && B[j]!.constant ? 0 : Math.sqrt(m);
      else {
        let s = 0;
        for (let k = 0; k < m; k++) s += (A[i]!.z[k]! - B[j]!.z[k]!) ** 2;
        d = Math.sqrt(s);
      }
      if (d < best) best = d;
    }
    out[i] = best === Infinity ? 0 : best;
  }
  return out;
}
