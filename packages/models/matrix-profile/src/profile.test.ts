// The WebAssembly diagonal traversal against the brute-force float64 definition.
import { describe, expect, it } from 'vitest';
import { bruteForceProfile } from './brute-force.ts';
import { abJoinProfile, exclusionZone, selfJoinProfile } from './profile.ts';
import { subsequences } from './subsequences.ts';
import { channelOf, channelStats, loadSeries, standardize } from './test-support.ts';

/**
 * Largest relative error, with distances below 0.01 compared absolutely: for
 * near-duplicates the correlation form loses digits (an error e in the correlation is
 * sqrt(2 m e) in distance, about 1e-7 for e = 1e-16), so their error is at most 1e-6.
 */
function maxRelError(got: Float64Array, want: Float64Array): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    expect(Number.isFinite(got[i]), `distance ${i} is ${got[i]}`).toBe(true);
    worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(want[i]!, 1e-2));
  }
  return worst;
}

function randomWalkWithSines(rows: number, seed: number): Float32Array {
  let s = seed;
  const uniform = () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
  let walk = 0;
  return Float32Array.from({ length: rows }, (_, t) => (walk += 0.1 * uniform()) + Math.sin(t / 7) + 0.3 * uniform());
}

describe('matrix profile engine = brute force (float64)', () => {
  const a = randomWalkWithSines(700, 11);
  const b = randomWalkWithSines(450, 23);
  // Constant stretches in both, shorter and longer than the windows.
  a.fill(0.5, 100, 160);
  b.fill(-1, 300, 305);
  b.fill(2, 40, 90);

  for (const m of [4, 9, 25, 64]) {
    it(`join train (AB-join), m = ${m}`, () => {
      const got = abJoinProfile(subsequences(a, m), subsequences(b, m));
      expect(maxRelError(got, bruteForceProfile(a, b, m))).toBeLessThan(1e-4);
    });
    it(`join self (exclusion zone ceil(m/4)), m = ${m}`, () => {
      const got = selfJoinProfile(subsequences(a, m));
      expect(maxRelError(got, bruteForceProfile(a, null, m, exclusionZone(m)))).toBeLessThan(1e-4);
    });
  }

  it('series shorter than the eight-diagonal band (ragged bands only)', () => {
    const short = a.subarray(0, 13);
    expect(maxRelError(abJoinProfile(subsequences(short, 5), subsequences(b.subarray(0, 9), 5)), bruteForceProfile(short, b.subarray(0, 9), 5))).toBeLessThan(1e-4);
    expect(maxRelError(selfJoinProfile(subsequences(short, 5)), bruteForceProfile(short, null, 5, 2))).toBeLessThan(1e-4);
  });

  it('real data: ECG chfdb_chf13_45590 test vs train (m = 143, two leads) and TEK16 self-join (m = 60)', async () => {
    const ecg = await loadSeries('ecg', 'chfdb_chf13_45590');
    const stats = channelStats(ecg.train);
    const train = standardize(ecg.train, stats) ;
    const test = standardize(ecg.test, stats) ;
    for (let c = 0; c < 2; c++) {
      const x = channelOf(test, c);
      const y = channelOf(train, c).subarray(0, 1000);
      expect(maxRelError(abJoinProfile(subsequences(x, 143), subsequences(y, 143)), bruteForceProfile(x, y, 143))).toBeLessThan(1e-4);
    }
    const tek = await loadSeries('space_shuttle', 'TEK16');
    const x = channelOf(tek.train, 0).subarray(0, 1200);
    expect(maxRelError(selfJoinProfile(subsequences(x, 60)), bruteForceProfile(x, null, 60, 15))).toBeLessThan(1e-4);
  });
});

describe('constant subsequences', () => {
  it('two constant subsequences are at distance 0, a constant and a varying one at sqrt(m); never NaN', () => {
    const m = 8;
    const varying = Float32Array.from({ length: 40 }, (_, t) => Math.sin(t));
    const flat = new Float32Array(40).fill(3);
    // Reference without constants: constant queries are sqrt(m) from everything.
    expect([...abJoinProfile(subsequences(flat, m), subsequences(varying, m))]).toEqual(new Array(33).fill(Math.sqrt(m)));
    // Reference with a constant stretch: constant queries find it (0); varying ones are at most sqrt(m).
    const mixed = Float32Array.from(varying);
    mixed.fill(-2, 10, 30);
    expect([...abJoinProfile(subsequences(flat, m), subsequences(mixed, m))]).toEqual(new Array(33).fill(0));
    const far = abJoinProfile(subsequences(Float32Array.from({ length: 40 }, (_, t) => (t % 5) ** 2), m), subsequences(mixed, m));
    expect(Math.max(...far)).toBeLessThanOrEqual(Math.sqrt(m) + 1e-12);
    // An all-constant series self-joins to 0 everywhere.
    expect([...selfJoinProfile(subsequences(flat, m))]).toEqual(new Array(33).fill(0));
  });

  it('a self-join with no subsequence outside the exclusion zone gives 0', () => {
    expect([...selfJoinProfile(subsequences(Float32Array.from([1, 2, 3, 5, 4]), 4))]).toEqual([0, 0]);
  });
});
