import type { Random } from '@anomalab/core';

/**
 * The length-m subsequences of one channel, addressed in place: subsequence i is
 * values[i .. i + m). Squared norms are precomputed for the distance expansion
 * |x - c|^2 = |x|^2 - 2 x.c + |c|^2.
 */
export class Windows {
  readonly count: number;
  readonly norms: Float64Array;

  constructor(
    readonly values: Float64Array,
    readonly m: number,
  ) {
    this.count = Math.max(0, values.length - m + 1);
    this.norms = new Float64Array(this.count);
    for (let i = 0; i < this.count; i++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += values[i + k]! * values[i + k]!;
      this.norms[i] = s;
    }
  }
}

export interface Assignment {
  /** Nearest centroid per window. */
  labels: Int32Array;
  /** Squared distance to it. */
  distances: Float64Array;
}

/** Nearest of k centroids (row-major [k, m]) for every window. O(count * k * m). */
export function assign(windows: Windows, centroids: Float64Array, k: number): Assignment {
  const { values, m, count, norms } = windows;
  const labels = new Int32Array(count);
  const distances = new Float64Array(count).fill(Infinity);
  const cNorm = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += centroids[c * m + j]! ** 2;
    cNorm[c] = s;
  }
  for (let c = 0; c < k; c++) {
    const base = c * m;
    for (let i = 0; i < count; i++) {
      let dot = 0;
      for (let j = 0; j < m; j++) dot += values[i + j]! * centroids[base + j]!;
      const d = norms[i]! - 2 * dot + cNorm[c]!;
      if (d < distances[i]!) {
        distances[i] = d;
        labels[i] = c;
      }
    }
  }
  // The expansion can go slightly negative for a window on its centroid.
  for (let i = 0; i < count; i++) if (distances[i]! < 0) distances[i] = 0;
  return { labels, distances };
}

export interface KMeansResult {
  centroids: Float64Array;
  iterations: number;
  /** Mean squared distance of the windows to their centroid. */
  inertia: number;
}

/** Squared distance of window i to centroid c (direct, four accumulators). */
function squaredDistance(values: Float64Array, i: number, centroids: Float64Array, c: number, m: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const base = c * m;
  let j = 0;
  for (; j + 3 < m; j += 4) {
    const d0 = values[i + j]! - centroids[base + j]!;
    const d1 = values[i + j + 1]! - centroids[base + j + 1]!;
    const d2 = values[i + j + 2]! - centroids[base + j + 2]!;
    const d3 = values[i + j + 3]! - centroids[base + j + 3]!;
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; j < m; j++) s0 += (values[i + j]! - centroids[base + j]!) ** 2;
  return s0 + s1 + s2 + s3;
}

/**
 * Lloyd's k-means with k-means++ seeding (Arthur & Vassilvitskii 2007) drawn from
 * `random`: the same random state gives the same centroids. Stops when the squared shift
 * of all centroids falls below tolerance x the mean per-position variance of the windows
 * (scikit-learn's rule) or after maxIterations. An emptied cluster is moved to the window
 * farthest from its centroid. Assignments use Hamerly's bounds (2010): the same result as
 * plain Lloyd iterations, but windows whose nearest centroid cannot have changed are not
 * measured again, so the many late, small iterations cost little.
 */
export function kmeans(windows: Windows, k: number, random: Random, maxIterations: number, tolerance: number): KMeansResult {
  const { values, m, count } = windows;
  if (count < k) throw new Error(`k-means: ${count} subsequences of length ${m} cannot form ${k} clusters`);
  const centroids = new Float64Array(k * m);
  const setCentroid = (c: number, i: number) => {
    for (let j = 0; j < m; j++) centroids[c * m + j] = values[i + j]!;
  };
  // k-means++: each next centroid drawn with probability proportional to D(x)^2.
  setCentroid(0, random.int(count));
  const nearest = new Float64Array(count).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < count; i++) total += nearest[i] = Math.min(nearest[i]!, squaredDistance(values, i, centroids, c - 1, m));
    let target = random.uniform() * total;
    let pick = count - 1;
    for (let i = 0; i < count; i++) {
      target -= nearest[i]!;
      if (target < 0) {
        pick = i;
        break;
      }
    }
    setCentroid(c, pick);
  }
  // Mean variance per position: the scale of the tolerance.
  let variance = 0;
  for (let j = 0; j < m; j++) {
    let s = 0, ss = 0;
    for (let i = 0; i < count; i++) {
      const v = values[i + j]!;
      s += v;
      ss += v * v;
    }
    variance += ss / count - (s / count) ** 2;
  }
  const threshold = tolerance * (variance / m);

  // Hamerly state: assigned centroid, upper bound on its distance, lower bound on the second nearest.
  const labels = new Int32Array(count);
  const upper = new Float64Array(count);
  const lower = new Float64Array(count);
  const fullAssign = (i: number) => {
    let best = Infinity, second = Infinity, label = 0;
    for (let c = 0; c < k; c++) {
      const d = squaredDistance(values, i, centroids, c, m);
      if (d < best) {
        second = best;
        best = d;
        label = c;
      } else if (d < second) second = d;
    }
    labels[i] = label;
    upper[i] = Math.sqrt(best);
    lower[i] = Math.sqrt(second);
  };
  for (let i = 0; i < count; i++) fullAssign(i);
  // Cluster sums and sizes, updated as windows change cluster.
  const sums = new Float64Array(k * m);
  const sizes = new Int32Array(k);
  const move = (i: number, from: number, to: number) => {
    for (let j = 0; j < m; j++) {
      if (from >= 0) sums[from * m + j]! -= values[i + j]!;
      sums[to * m + j]! += values[i + j]!;
    }
    if (from >= 0) sizes[from]!--;
    sizes[to]!++;
  };
  for (let i = 0; i < count; i++) move(i, -1, labels[i]!);
  const half = new Float64Array(k);
  const moved = new Float64Array(k);
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations++;
    let shift = 0;
    for (let c = 0; c < k; c++) {
      if (sizes[c] === 0) {
        // Empty cluster: restart it on the worst-fitting window.
        let far = 0;
        for (let i = 1; i < count; i++) if (upper[i]! > upper[far]! && sizes[labels[i]!]! > 1) far = i;
        move(far, labels[far]!, c);
        labels[far] = c;
        upper[far] = 0;
        lower[far] = 0;
      }
      let d = 0;
      for (let j = 0; j < m; j++) {
        const v = sums[c * m + j]! / sizes[c]!;
        d += (v - centroids[c * m + j]!) ** 2;
        centroids[c * m + j] = v;
      }
      shift += d;
      moved[c] = Math.sqrt(d);
    }
    // Bounds follow the centroids' moves.
    let maxMove = 0, secondMove = 0, maxMoved = -1;
    for (let c = 0; c < k; c++) {
      if (moved[c]! > maxMove) {
        secondMove = maxMove;
        maxMove = moved[c]!;
        maxMoved = c;
      } else if (moved[c]! > secondMove) secondMove = moved[c]!;
    }
    for (let c = 0; c < k; c++) {
      let closest = Infinity;
      for (let o = 0; o < k; o++) {
        if (o === c) continue;
        let d = 0;
        for (let j = 0; j < m; j++) d += (centroids[c * m + j]! - centroids[o * m + j]!) ** 2;
        closest = Math.min(closest, d);
      }
      half[c] = Math.sqrt(closest) / 2;
    }
    for (let i = 0; i < count; i++) {
      const a = labels[i]!;
      upper[i]! += moved[a]!;
      lower[i]! -= a === maxMoved ? secondMove : maxMove;
      const bound = Math.max(half[a]!, lower[i]!);
      if (upper[i]! <= bound) continue;
      upper[i] = Math.sqrt(squaredDistance(values, i, centroids, a, m));
      if (upper[i]! <= bound) continue;
      fullAssign(i);
      if (labels[i] !== a) move(i, a, labels[i]!);
    }
    if (shift <= threshold) break;
  }
  let inertia = 0;
  for (let i = 0; i < count; i++) inertia += squaredDistance(values, i, centroids, labels[i]!, m);
  return { centroids, iterations, inertia: inertia / count };
}
