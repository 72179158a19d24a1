import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTestMirror } from '@anomalab/datasets/testing';
import { medianRangeLength, seriesPeriod } from './window.ts';

// Expected periods from the reference TSB-AD `find_length_rank(data, rank=1)`
// (TSB_AD/utils/slidingWindows.py, statsmodels 0.13 acf with fft=True).

describe('VUS window rules', () => {
  it('period: the highest autocorrelation peak, as TSB-AD find_length_rank', () => {
    const t = Array.from({ length: 3000 }, (_, i) => i);
    const noise = t.map((i) => ((i * 7919) % 13) / 50);
    const x = t.map((i) => Math.sin((2 * Math.PI * i) / 37) + 0.3 * Math.sin((2 * Math.PI * i) / 11) + noise[i]!);
    expect(seriesPeriod(x)).toBe(111);
    expect(seriesPeriod(noise)).toBe(13);
    expect(seriesPeriod([1, 2, 3])).toBe(125); // too short for any peak: TSB-AD's fallback
  });

  it('period of the ECG qtdbsel102 test split (rows 211..10093) matches TSB-AD: 208 and 207', () => {
    const mirror = findTestMirror();
    if (!mirror.dir) throw new Error(mirror.reason); // CI provides the mirror: never skip
    const rows = readFileSync(join(mirror.dir, 'ecg', 'qtdbsel102.txt'), 'utf8').trim().split(/\r?\n/).slice(211, 10093);
    const lead = (c: number) => rows.map((line) => Number(line.trim().split(/\s+/)[c]));
    expect(seriesPeriod(lead(1))).toBe(208);
    expect(seriesPeriod(lead(2))).toBe(207);
  });

  it('median-range: the median labelled range length, truncated (TimeEval int(np.median(...)))', () => {
    const labels = new Uint8Array(40);
    labels.fill(1, 2, 5).fill(1, 10, 14); // lengths 3 and 4: median 3.5 -> 3
    expect(medianRangeLength(labels)).toBe(3);
    labels.fill(1, 20, 30); // 3, 4, 10 -> 4
    expect(medianRangeLength(labels)).toBe(4);
    expect(medianRangeLength(new Uint8Array(5))).toBe(0);
  });
});
