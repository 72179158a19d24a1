/** How a row's score follows from the scores of the subsequences that cover it. */
export type RowScore = 'max' | 'mean';

/**
 * Per-row scores from per-subsequence scores: row t is covered by the subsequences starting
 * at t - m + 1 .. t (those that exist); its score is their largest (`max`) or mean (`mean`,
 * TSB-AD's reverse windowing) score. Every row of a series with at least m rows is covered.
 */
export function rowScores(subsequenceScores: ArrayLike<number>, m: number, rows: number, rule: RowScore): Float32Array {
  const n = subsequenceScores.length;
  const out = new Float32Array(rows);
  if (n === 0) return out;
  if (rule === 'mean') {
    let sum = 0;
    for (let t = 0; t < rows; t++) {
      if (t < n) sum += subsequenceScores[t]!;
      if (t - m >= 0 && t - m < n) sum -= subsequenceScores[t - m]!;
      const first = Math.max(0, t - m + 1);
      const last = Math.min(t, n - 1);
      out[t] = sum / (last - first + 1);
    }
    return out;
  }
  // Sliding maximum with a monotone deque of subsequence indices.
  const deque = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let t = 0; t < rows; t++) {
    if (t < n) {
      while (tail > head && subsequenceScores[deque[tail - 1]!]! <= subsequenceScores[t]!) tail--;
      deque[tail++] = t;
    }
    while (deque[head]! < t - m + 1) head++;
    out[t] = subsequenceScores[deque[head]!]!;
  }
  return out;
}

/** A discord: a subsequence far from its nearest neighbour. */
export interface Discord {
  /** First row of the subsequence, an index into the scored split. */
  start: number;
  /** Its length (the window m). */
  length: number;
  /** Its score (matrix profile: z-normalised distance to the nearest neighbour). */
  distance: number;
}

/** The k highest-scoring subsequences that do not overlap each other (greedy, best first). */
export function topDiscords(subsequenceScores: ArrayLike<number>, m: number, k: number): Discord[] {
  const order = Array.from({ length: subsequenceScores.length }, (_, i) => i).sort((a, b) => subsequenceScores[b]! - subsequenceScores[a]! || a - b);
  const picked: Discord[] = [];
  for (const i of order) {
    if (picked.length >= k) break;
    if (picked.some((d) => Math.abs(d.start - i) < m)) continue;
    picked.push({ start: i, length: m, distance: subsequenceScores[i]! });
  }
  return picked;
}
