import { MatrixProfileKernel } from './kernel.ts';
import type { Subsequences } from './subsequences.ts';

/**
 * Self-join exclusion zone: subsequences starting at most ceil(m / 4) rows apart are
 * trivial matches and never neighbours (STUMPY's convention).
 */
export function exclusionZone(m: number): number {
  return Math.ceil(m / 4);
}

/**
 * Distances between z-normalised subsequences, with the conventions for constant
 * (zero standard deviation) subsequences, where z-normalisation is undefined (as STUMPY):
 * - two constant subsequences are identical: distance 0;
 * - a constant and a non-constant one: distance sqrt(m) (correlation 0.5);
 * - otherwise sqrt(2m (1 - correlation)), which lies in [0, 2 sqrt(m)].
 * A subsequence without any allowed neighbour (a self-join shorter than the exclusion
 * zone) gets distance 0. Nothing is ever NaN.
 */
function distanceOf(m: number, correlation: number): number {
  if (correlation === -Infinity) return 0;
  return Math.sqrt(Math.max(0, 2 * m * (1 - Math.min(1, correlation))));
}

let shared: MatrixProfileKernel | undefined;
const kernel = () => (shared ??= new MatrixProfileKernel());

/**
 * AB-join distance of one subsequence from its largest correlation with the other set's
 * subsequences, with the constant-subsequence convention (shared by the batch join and the
 * `join: train` stream).
 */
export function nearestDistance(m: number, correlation: number, constant: boolean, otherHasConstant: boolean): number {
  let r = correlation;
  if (constant) r = otherHasConstant ? 1 : 0.5;
  else if (otherHasConstant) r = Math.max(r, 0.5);
  return distanceOf(m, r);
}

/** For every subsequence of `a`, the distance to its nearest neighbour among the subsequences of `b`. */
export function abJoinProfile(a: Subsequences, b: Subsequences): Float64Array {
  const rho = kernel().abJoin(a, b);
  const out = new Float64Array(a.count);
  const bHasConstant = b.constantCount > 0;
  for (let i = 0; i < a.count; i++) out[i] = nearestDistance(a.m, rho[i]!, a.constant[i] === 1, bHasConstant);
  return out;
}

/** For every subsequence, the distance to its nearest neighbour outside its exclusion zone (default ceil(m / 4)). */
export function selfJoinProfile(t: Subsequences, exclusion = exclusionZone(t.m)): Float64Array {
  const rho = kernel().selfJoin(t, exclusion);
  const n = t.count;
  // Prefix counts of constant subsequences: are there constant neighbours outside the zone?
  const prefix = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + t.constant[i]!;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lo = i - exclusion;
    const hi = i + exclusion;
    const neighbours = Math.max(0, lo) + Math.max(0, n - 1 - hi);
    const constantNeighbours = (lo > 0 ? prefix[lo]! : 0) + (hi < n - 1 ? prefix[n]! - prefix[hi + 1]! : 0);
    let r = rho[i]!;
    if (neighbours === 0) r = -Infinity;
    else if (t.constant[i]) r = constantNeighbours > 0 ? 1 : 0.5;
    else if (constantNeighbours > 0) r = Math.max(r, 0.5);
    out[i] = distanceOf(t.m, r);
  }
  return out;
}
