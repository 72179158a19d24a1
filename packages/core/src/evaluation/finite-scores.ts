import { AnomalabError } from '../errors.ts';

export interface ScoreSource {
  /** Channel name or `joint`. */
  channel: string;
  /** Split name, e.g. `test`. */
  split: string;
  /** File row of split row 0 (so the error names the row users can find), when known. */
  offset?: number;
  /** Rows before this one are unscored (NaN there is expected) and skipped. */
  firstValid: number;
}

/**
 * NaN or infinite scores cannot be ranked (sorting them is undefined and every threshold-
 * free metric would silently depend on where they land): reject them before any metric,
 * naming the channel, the first bad row and how many there are.
 */
export function assertFiniteScores(scores: ArrayLike<number>, source: ScoreSource): void {
  let first = -1;
  let count = 0;
  for (let t = source.firstValid; t < scores.length; t++) {
    if (!Number.isFinite(scores[t]!)) {
      if (first < 0) first = t;
      count++;
    }
  }
  if (first < 0) return;
  const more = count > 1 ? ` (${count} non-finite scores in all)` : '';
  throw new AnomalabError(
    'ANOMALAB_PLUGIN_INVALID',
    `${source.split} scores of channel "${source.channel}" are ${scores[first]} at row ${first} of the split${source.offset !== undefined ? ` (file row ${source.offset + first})` : ''}${more}: ` +
      'scores must be finite numbers before they are ranked; check the model/detector output (e.g. a NaN in the data or a diverged model)',
  );
}
