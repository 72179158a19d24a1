// Dropout masks of a training window, drawn in WebAssembly with the exact stream of
// ../src/dropout.ts: mulberry32(seed), value < rate -> 0 else 1/(1-rate). mulberry32's state
// is a counter (seed + i * 0x6d2b79f5), so 4 draws run per SIMD lane group;
// u = r / 2^32 < rate  <=>  r < ceil(rate * 2^32) (exact: r is an integer).
import { fp, st } from './memory';
import { Dims, Lanes, Win } from './layout';

/** Masks of a window of L steps into Win.masks ([L, sites, P, width]). */
export function drawMasks(L: i32, rate: f64, seed: u32): void {
  const keep = <f32>(1.0 / (1.0 - rate));
  const P = Lanes.P;
  const B = Lanes.B;
  const E = Dims.E;
  const H = Dims.H;
  const width = Win.maskWidth;
  if (Lanes.total == B) {
    drawRun(Win.masks, L * P * width, rate, keep, seed, 0);
    return;
  }
  // Lane split: each row of a site is the same row of the full batch's masks (stream index
  // = its position in the full [L, sites, 2 total, width] layout).
  const BT = Lanes.total;
  const LANE0 = Lanes.offset;
  const PT = 2 * BT;
  for (let t = 0; t < L; t++) {
    for (let site = 0; site <= Dims.layers; site++) {
      const w = site == 0 ? E : H;
      const local = t * P * width + (site == 0 ? 0 : P * E + (site - 1) * P * H);
      const global = t * PT * width + (site == 0 ? 0 : PT * E + (site - 1) * PT * H);
      for (let p = 0; p < P; p++) {
        const gp = p < B ? LANE0 + p : BT + LANE0 + (p - B);
        drawRun(fp(Win.masks, local + p * w), w, rate, keep, seed, <u32>(global + gp * w));
      }
    }
  }
}

/** dst[i] = mask value number first + i of the stream of `seed` (i < count). */
function drawRun(dst: usize, count: i32, rate: f64, keep: f32, seed: u32, first: u32): void {
  const thr = Math.ceil(rate * 4294967296.0);
  const K: u32 = 0x6d2b79f5;
  let i = 0;
  if (thr < 4294967295.0) {
    const T = i32x4.splat(<i32><u32>thr);
    let a = i32x4(<i32>(seed + (first + 1) * K), <i32>(seed + (first + 2) * K), <i32>(seed + (first + 3) * K), <i32>(seed + (first + 4) * K));
    const step = i32x4.splat(<i32>(4 * K));
    const keepV = f32x4.splat(keep);
    const one = i32x4.splat(1);
    const s61 = i32x4.splat(61);
    for (; i + 4 <= count; i += 4) {
      let t = a;
      t = i32x4.mul(v128.xor(t, i32x4.shr_u(t, 15)), v128.or(t, one));
      t = v128.xor(t, i32x4.add(t, i32x4.mul(v128.xor(t, i32x4.shr_u(t, 7)), v128.or(t, s61))));
      const r = v128.xor(t, i32x4.shr_u(t, 14));
      v128.store(fp(dst, i), v128.andnot(keepV, i32x4.lt_u(r, T)));
      a = i32x4.add(a, step);
    }
  }
  let a: u32 = seed + (first + <u32>i) * K;
  for (; i < count; i++) {
    a = a + K;
    let t: u32 = a;
    t = (t ^ (t >>> 15)) * (t | 1);
    t ^= t + (t ^ (t >>> 7)) * (t | 61);
    const u = <f64>(t ^ (t >>> 14)) / 4294967296.0;
    st(dst, i, u < rate ? <f32>0 : keep);
  }
}

/** Mask rows [P, width] of step t at a site (0: encoder output, l + 1: layer l's output), 0 without dropout. */
@inline export function maskAt(t: i32, site: i32, useMasks: bool): usize {
  if (!useMasks) return 0;
  const P = Lanes.P;
  const base = fp(Win.masks, t * P * Win.maskWidth);
  return site == 0 ? base : fp(base, P * Dims.E + (site - 1) * P * Dims.H);
}
