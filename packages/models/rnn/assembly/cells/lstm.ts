// LSTM cell, gate blocks [i, f, o, g] (PyTorch: [i, f, g, o]):
//   c' = f * c + i * g,  h' = o * tanh(c'),  i, f, o = sigmoid, g = tanh.
// One pre-activation product (./stacked.ts); keeps c and tanh(c) per step for BPTT.
import { allocF, fp, ld, st } from '../memory';
import { sigmoidInPlace, stanh, tanhInPlace, vtanh } from '../math';
import { Dims, Lanes, Layer, Win } from '../layout';
import { stackedAllocate, stackedPreactivations } from './stacked';

export const LSTM_GATES = 4;

/** c [L + 1, P, H], tanh(c) [L, P, H]. */
export function lstmAllocate(ly: Layer, L: i32, P: i32): void {
  stackedAllocate(ly);
  ly.cs = allocF((L + 1) * P * Dims.H);
  ly.tc = allocF(L * P * Dims.H);
}

/**
 * One step for `lanes` rows: xin [lanes, K] (input then h_prev), cp = c_prev [lanes, H];
 * writes act, h, c, and tanh(c) into tcOut (0: not kept, e.g. the forecast).
 */
export function lstmForward(ly: Layer, lanes: i32, xin: usize, cp: usize, act: usize, hOut: usize, cOut: usize, tcOut: usize): void {
  const H = Dims.H;
  const GH = LSTM_GATES * H;
  stackedPreactivations(ly, lanes, xin, act);
  for (let p = 0; p < lanes; p++) {
    const a = fp(act, p * GH);
    sigmoidInPlace(a, 3 * H);
    tanhInPlace(fp(a, 3 * H), H);
    const c0 = fp(cp, p * H);
    const c1 = fp(cOut, p * H);
    const ho = fp(hOut, p * H);
    // tanh(c) kept for the backward pass (training), else written over a scratch row.
    const tc = tcOut != 0 ? fp(tcOut, p * H) : ho;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const c = f32x4.add(f32x4.mul(v128.load(fp(a, H + j)), v128.load(fp(c0, j))), f32x4.mul(v128.load(fp(a, j)), v128.load(fp(a, 3 * H + j))));
      v128.store(fp(c1, j), c);
      const t = vtanh(c);
      v128.store(fp(tc, j), t);
      v128.store(fp(ho, j), f32x4.mul(v128.load(fp(a, 2 * H + j)), t));
    }
    for (; j < H; j++) {
      const c = ld(a, H + j) * ld(c0, j) + ld(a, j) * ld(a, 3 * H + j);
      st(c1, j, c);
      const t = stanh(c);
      st(tc, j, t);
      st(ho, j, ld(a, 2 * H + j) * t);
    }
  }
}

/** Step t: Win.dh (total gradient on h_t) and the carried c gradient -> dz; carries dc to t - 1. */
export function lstmBackward(ly: Layer, t: i32): void {
  const H = Dims.H;
  const P = Lanes.P;
  const GH = LSTM_GATES * H;
  const PH = P * H;
  const act = fp(ly.act, t * P * GH);
  const dz = fp(ly.dz, t * P * GH);
  const cp = fp(ly.cs, t * PH);
  const tcs = fp(ly.tc, t * PH);
  const dcc = ly.dcc;
  const dh = Win.dh;
  const one = f32x4.splat(1);
  for (let p = 0; p < P; p++) {
    const a = fp(act, p * GH);
    const d = fp(dz, p * GH);
    const dhr = fp(dh, p * H);
    const c0 = fp(cp, p * H);
    const c1 = fp(tcs, p * H);
    const dcr = fp(dcc, p * H);
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const gi = v128.load(fp(a, j));
      const gf = v128.load(fp(a, H + j));
      const go = v128.load(fp(a, 2 * H + j));
      const gg = v128.load(fp(a, 3 * H + j));
      const tc = v128.load(fp(c1, j));
      const dhv = v128.load(fp(dhr, j));
      const dct = f32x4.add(v128.load(fp(dcr, j)), f32x4.mul(f32x4.mul(dhv, go), f32x4.sub(one, f32x4.mul(tc, tc))));
      v128.store(fp(dcr, j), f32x4.mul(dct, gf));
      v128.store(fp(d, j), f32x4.mul(f32x4.mul(dct, gg), f32x4.mul(gi, f32x4.sub(one, gi))));
      v128.store(fp(d, H + j), f32x4.mul(f32x4.mul(dct, v128.load(fp(c0, j))), f32x4.mul(gf, f32x4.sub(one, gf))));
      v128.store(fp(d, 2 * H + j), f32x4.mul(f32x4.mul(dhv, tc), f32x4.mul(go, f32x4.sub(one, go))));
      v128.store(fp(d, 3 * H + j), f32x4.mul(f32x4.mul(dct, gi), f32x4.sub(one, f32x4.mul(gg, gg))));
    }
    for (; j < H; j++) {
      const gi = ld(a, j);
      const gf = ld(a, H + j);
      const go = ld(a, 2 * H + j);
      const gg = ld(a, 3 * H + j);
      const tc = ld(c1, j);
      const dhv = ld(dhr, j);
      const dct = ld(dcr, j) + dhv * go * (1 - tc * tc);
      st(dcr, j, dct * gf);
      st(d, j, dct * gg * (gi * (1 - gi)));
      st(d, H + j, dct * ld(c0, j) * (gf * (1 - gf)));
      st(d, 2 * H + j, dhv * tc * (go * (1 - go)));
      st(d, 3 * H + j, dct * gi * (1 - gg * gg));
    }
  }
}
