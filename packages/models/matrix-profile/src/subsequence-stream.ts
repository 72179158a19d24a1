import type { PredictorStream, PredictorStreamStep, StreamRowScores } from '@anomalab/core';
import type { RowScore } from './rows.ts';

/** One channel of a subsequence model, online: the score of the length-m subsequence each value completes. */
export interface SubsequenceScorer {
  /** The next (standardised) value; the score of the subsequence ending here, once m values have arrived. */
  push(value: number): number | undefined;
}

/**
 * Row score of row t from the subsequence scores `from..to` covering it, as `rowScores()`
 * (./rows.ts) defines it: their max or mean. Reads a ring of the last m scores.
 */
function rowScoreOf(ring: Float64Array, from: number, to: number, rule: RowScore): number {
  const m = ring.length;
  let out = rule === 'max' ? -Infinity : 0;
  for (let s = from; s <= to; s++) out = rule === 'max' ? Math.max(out, ring[s % m]!) : out + ring[s % m]!;
  return rule === 'max' ? out : out / (to - from + 1);
}

/**
 * A direct-score stream over per-channel subsequence scorers (matrix-profile `join: train`,
 * kmeans): the batch path's row scores (`rowScores`, float32) and joint score (mean of the
 * channels), each row settled once every subsequence covering it has arrived (row t after
 * row t + m - 1), the last m - 1 rows at `finish()` from the subsequences that exist. A
 * stream shorter than m scores 0 everywhere, as the batch path.
 */
export function openSubsequenceStream(scorers: SubsequenceScorer[], m: number, rule: RowScore): PredictorStream {
  const C = scorers.length;
  // The last m subsequence scores per channel: a row's covering subsequences are among them when it settles.
  const rings = Array.from({ length: C }, () => new Float64Array(m));
  let count = 0;
  let rows = 0;
  let settled = 0;

  const settle = (upTo: number): StreamRowScores[] => {
    const out: StreamRowScores[] = [];
    for (; settled < upTo; settled++) {
      const t = settled;
      const channels = rings.map((ring) => (count === 0 ? 0 : Math.fround(rowScoreOf(ring, Math.max(0, t - m + 1), Math.min(t, count - 1), rule))));
      // Joint: the mean of the float32 channel scores, as the batch path (one channel: none).
      out.push(C > 1 ? { row: t, channels, joint: channels.reduce((a, b) => a + b, 0) / C } : { row: t, channels });
    }
    return out;
  };

  return {
    push(row: Float32Array): PredictorStreamStep {
      let complete = false;
      for (let c = 0; c < C; c++) {
        const score = scorers[c]!.push(row[c]!);
        if (score !== undefined) {
          rings[c]![count % m] = score;
          complete = true;
        }
      }
      if (complete) count++;
      rows++;
      // Subsequence count - 1 = rows - m just completed: row rows - m has all its covering subsequences.
      return complete ? { scored: settle(rows - m + 1) } : {};
    },
    finish: () => ({ scored: settle(rows) }),
    dispose: () => {},
  };
}
