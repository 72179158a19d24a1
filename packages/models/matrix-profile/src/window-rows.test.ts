import { describe, expect, it } from 'vitest';
import { rowScores, topDiscords } from './rows.ts';
import { estimateWindow, FALLBACK_WINDOW } from './window.ts';
import { loadSeries } from './test-support.ts';

describe('estimateWindow (TSB-AD find_length_rank, rank 1)', () => {
  it('finds the period of a sine and falls back to 125 without one', () => {
    const sine = Float32Array.from({ length: 3000 }, (_, t) => Math.sin((2 * Math.PI * t) / 50));
    expect(estimateWindow({ rows: 3000, channels: 1, values: sine })).toBe(50);
    // Period 350 lies beyond lag 303: TSB-AD's fallback.
    const slow = Float32Array.from({ length: 3000 }, (_, t) => Math.sin((2 * Math.PI * t) / 350));
    expect(estimateWindow({ rows: 3000, channels: 1, values: slow })).toBe(FALLBACK_WINDOW);
    expect(estimateWindow({ rows: 100, channels: 1, values: new Float32Array(100).fill(2) })).toBe(FALLBACK_WINDOW);
  });

  it('matches TSB-AD on the train splits of real series', async () => {
    // Expected values: TSB-AD's find_length_rank (utils/slidingWindows.py) with statsmodels'
    // acf(fft=True) re-done in numpy, run on channel 0 of each train split.
    const expected: [string, string, number][] = [
      ['power_demand', 'power_data', 96],
      ['respiration', 'nprs43', 41],
      ['ecg', 'chfdb_chf13_45590', 143],
      ['space_shuttle', 'TEK16', 125],
    ];
    for (const [dataset, series, window] of expected) {
      const { train } = await loadSeries(dataset, series);
      const ch0 = Float32Array.from({ length: train.rows }, (_, t) => train.values[t * train.channels]!);
      expect(estimateWindow({ rows: train.rows, channels: 1, values: ch0 }), `${dataset}/${series}`).toBe(window);
    }
  });
});

describe('row scores and discords', () => {
  const profile = [1, 5, 2, 0, 3];
  it('max: the largest score of the subsequences covering each row', () => {
    // m = 3, rows = 7: row t is covered by subsequences max(0, t-2) .. min(t, 4).
    expect([...rowScores(profile, 3, 7, 'max')]).toEqual([1, 5, 5, 5, 3, 3, 3]);
  });
  it('mean: their mean (TSB-AD reverse windowing)', () => {
    expect([...rowScores(profile, 3, 7, 'mean')].map((v) => +v.toFixed(5))).toEqual([1, 3, 8 / 3, 7 / 3, 5 / 3, 1.5, 3].map((v) => +v.toFixed(5)));
  });
  it('top discords do not overlap and come best first', () => {
    expect(topDiscords([0, 9, 8, 1, 0, 7, 0, 6], 3, 3)).toEqual([
      { start: 1, length: 3, distance: 9 },
      { start: 5, length: 3, distance: 7 },
    ]);
    expect(topDiscords([0, 9, 8, 1, 0, 7, 0, 6], 2, 5).map((d) => d.start)).toEqual([1, 5, 7, 3]);
  });
});
