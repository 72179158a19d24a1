import { countAt, pointScores, type PointScores } from './point-metrics.ts';

/** A run of consecutive rows `[start, end)`, in row indices of the scored split. */
export interface RowRange {
  start: number;
  end: number;
}

/** A labelled anomaly range and whether (and how late) a flag fell inside it. */
export interface LabelledRange extends RowRange {
  detected: boolean;
  /** Rows from the range's start to its first flagged row, or null when missed. */
  delay: number | null;
}

/** Event-level view of one threshold: which anomaly ranges were caught, which alarms were false. */
export interface EventEvaluation {
  threshold: number;
  /** Anomalous ranges in the labels (runs of consecutive 1s, after `from`). */
  ranges: LabelledRange[];
  /** Flagged runs that touch no labelled range. */
  falseAlarms: RowRange[];
  /** Every flagged run (true and false alarms). */
  flaggedEvents: number;
  /** Point-wise metrics at this threshold... */
  point: PointScores;
  /**
   * ...and point-adjusted ones (a range counts as fully flagged once any of its rows is).
   * Point adjustment inflates scores, often wildly; report it only next to `point`.
   */
  pointAdjusted: PointScores;
}

/** Runs of consecutive rows where `predicate(t)` holds, for t in [from, rows). */
export function runsWhere(rows: number, from: number, predicate: (t: number) => boolean): RowRange[] {
  const out: RowRange[] = [];
  let start = -1;
  for (let t = from; t <= rows; t++) {
    const on = t < rows && predicate(t);
    if (on && start < 0) start = t;
    else if (!on && start >= 0) {
      out.push({ start, end: t });
      start = -1;
    }
  }
  return out;
}

/**
 * Event-level detection at `score > threshold`: a labelled range is detected when at least
 * one of its rows is flagged; a false alarm is a flagged run overlapping no labelled range.
 */
export function evaluateEvents(scores: Float32Array, labels: Uint8Array, threshold: number, from = 0, beta = 1): EventEvaluation {
  const rows = scores.length;
  const flagged = (t: number) => scores[t]! > threshold;
  const labelled = runsWhere(rows, from, (t) => labels[t] === 1);
  const flags = runsWhere(rows, from, flagged);
  const ranges: LabelledRange[] = labelled.map(({ start, end }) => {
    let first = -1;
    for (let t = start; t < end && first < 0; t++) if (flagged(t)) first = t;
    return { start, end, detected: first >= 0, delay: first >= 0 ? first - start : null };
  });
  const falseAlarms = flags.filter(({ start, end }) => {
    for (let t = start; t < end; t++) if (labels[t]) return false;
    return true;
  });
  // Point adjustment: every row of a detected range counts as a true positive.
  const counts = countAt(scores, labels, threshold, from);
  const adjusted = { ...counts };
  for (const r of ranges) {
    if (!r.detected) continue;
    let missedInside = 0;
    for (let t = r.start; t < r.end; t++) if (!flagged(t)) missedInside++;
    adjusted.tp += missedInside;
    adjusted.fn -= missedInside;
  }
  return {
    threshold,
    ranges,
    falseAlarms,
    flaggedEvents: flags.length,
    point: pointScores(counts, beta),
    pointAdjusted: pointScores(adjusted, beta),
  };
}
