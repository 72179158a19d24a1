import { describe, expect, it } from 'vitest';
import { assertFiniteScores } from './finite-scores.ts';

describe('finite scores before ranking', () => {
  const source = { channel: 'lead 1', split: 'test', offset: 211, firstValid: 2 };
  it('names the channel, the first bad row (split and file) and the count', () => {
    const scores = Float32Array.from([NaN, NaN, 1, 2, NaN, Infinity, 3]);
    expect(() => assertFiniteScores(scores, source)).toThrow(
      'test scores of channel "lead 1" are NaN at row 4 of the split (file row 215) (2 non-finite scores in all)',
    );
    expect(() => assertFiniteScores(Float32Array.from([0, 0, -Infinity]), source)).toThrow(/-Infinity at row 2 .*file row 213\)/);
  });
  it('accepts finite scores and ignores the unscored rows before firstValid', () => {
    expect(() => assertFiniteScores(Float32Array.from([NaN, NaN, 1, 2]), source)).not.toThrow();
  });
});
