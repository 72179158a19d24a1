// GRU cell, PyTorch's equations, gate blocks [r, z, n]:
//   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr), z likewise,
//   n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = n + z * (h - n).
// r multiplies the hidden-side product, so input and hidden products stay apart (gh keeps
// W_hh h + b_hh per step) and so do their gradients (dz and dgh).
import { allocF, fp, ld, st } from '../memory';
import { ssigmoid, stanh, vsigmoid, vtanh } from '../math';
import { colsumAcc, gemmPanels, gemmTN, pack8 } from '../gemm';
import { Dims, Lanes, Layer, Params, Win } from '../layout';

export const GRU_GATES = 3;

/** gh and dgh [L, P, GH]; panel copies of W^T's input columns [GH, in] and hidden columns [GH, H]. */
export function gruAllocate(ly: Layer, L: i32, P: i32): void {
  const H = Dims.H;
  const GH = GRU_GATES * H;
  ly.gh = allocF(L * P * GH);
  ly.dgh = allocF(L * P * GH);
  ly.wtp = allocF(GH * (ly.inSize + H));
  ly.wtp2 = allocF(GH * H);
}

export function gruPrepare(ly: Layer): void {
  const H = Dims.H;
  const GH = GRU_GATES * H;
  const inSize = ly.inSize;
  const K = inSize + H;
  pack8(ly.wt, K, GH, inSize, ly.wtp, GH * 8);
  pack8(fp(ly.wt, inSize), K, GH, H, ly.wtp2, GH * 8);
}

/** One step for `lanes` rows: xin [lanes, K] (input then h_prev); writes act (r, z, n), gh, h. */
export function gruForward(ly: Layer, lanes: i32, xin: usize, act: usize, hOut: usize, gh: usize): void {
  const H = Dims.H;
  const GH = GRU_GATES * H;
  const inSize = ly.inSize;
  const K = inSize + H;
  const w = Params.values;
  const wp = ly.wp;
  gemmPanels(lanes, GH, inSize, xin, K, wp, K * 8, fp(w, ly.wih), GH, act, GH, fp(w, ly.bih));
  gemmPanels(lanes, GH, H, fp(xin, inSize), K, fp(wp, inSize * 8), K * 8, fp(w, ly.whh), GH, gh, GH, fp(w, ly.bhh));
  for (let p = 0; p < lanes; p++) {
    const a = fp(act, p * GH);
    const g = fp(gh, p * GH);
    const hp = fp(xin, p * K + inSize);
    const ho = fp(hOut, p * H);
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const r = vsigmoid(f32x4.add(v128.load(fp(a, j)), v128.load(fp(g, j))));
      const z = vsigmoid(f32x4.add(v128.load(fp(a, H + j)), v128.load(fp(g, H + j))));
      const nn = vtanh(f32x4.add(v128.load(fp(a, 2 * H + j)), f32x4.mul(r, v128.load(fp(g, 2 * H + j)))));
      v128.store(fp(a, j), r);
      v128.store(fp(a, H + j), z);
      v128.store(fp(a, 2 * H + j), nn);
      v128.store(fp(ho, j), f32x4.add(nn, f32x4.mul(z, f32x4.sub(v128.load(fp(hp, j)), nn))));
    }
    for (; j < H; j++) {
      const r = ssigmoid(ld(a, j) + ld(g, j));
      const z = ssigmoid(ld(a, H + j) + ld(g, H + j));
      const nn = stanh(ld(a, 2 * H + j) + r * ld(g, 2 * H + j));
      st(a, j, r);
      st(a, H + j, z);
      st(a, 2 * H + j, nn);
      st(ho, j, nn + z * (ld(hp, j) - nn));
    }
  }
}

/** Step t: Win.dh -> dz (input side), dgh (hidden side) and the direct term dh * z of the carried h gradient. */
export function gruBackward(ly: Layer, t: i32): void {
  const H = Dims.H;
  const P = Lanes.P;
  const GH = GRU_GATES * H;
  const inSize = ly.inSize;
  const K = inSize + H;
  const act = fp(ly.act, t * P * GH);
  const dz = fp(ly.dz, t * P * GH);
  const xin = fp(ly.xin, t * P * K);
  const gh = fp(ly.gh, t * P * GH);
  const dgh = fp(ly.dgh, t * P * GH);
  const dhc = ly.dhc;
  const dh = Win.dh;
  for (let p = 0; p < P; p++) {
    const a = fp(act, p * GH);
    const g = fp(gh, p * GH);
    const d = fp(dz, p * GH);
    const dg = fp(dgh, p * GH);
    const hp = fp(xin, p * K + inSize);
    const dhr = fp(dh, p * H);
    const direct = fp(dhc, p * H);
    for (let j = 0; j < H; j++) {
      const r = ld(a, j);
      const z = ld(a, H + j);
      const nn = ld(a, 2 * H + j);
      const dhv = ld(dhr, j);
      const dnp = dhv * (1 - z) * (1 - nn * nn);
      const dzp = dhv * (ld(hp, j) - nn) * (z * (1 - z));
      const drp = dnp * ld(g, 2 * H + j) * (r * (1 - r));
      st(direct, j, dhv * z);
      st(d, j, drp); st(d, H + j, dzp); st(d, 2 * H + j, dnp);
      st(dg, j, drp); st(dg, H + j, dzp); st(dg, 2 * H + j, dnp * r);
    }
  }
}

/** Step t: Win.dxin input columns = dz @ W_ih^T, hidden columns = dgh @ W_hh^T, added to the direct term in dhc. */
export function gruProjectBack(ly: Layer, t: i32): void {
  const H = Dims.H;
  const P = Lanes.P;
  const GH = GRU_GATES * H;
  const inSize = ly.inSize;
  const K = inSize + H;
  const dxin = Win.dxin;
  const dhc = ly.dhc;
  gemmPanels(P, inSize, GH, fp(ly.dz, t * P * GH), GH, ly.wtp, GH * 8, ly.wt, K, dxin, K, 0);
  gemmPanels(P, H, GH, fp(ly.dgh, t * P * GH), GH, ly.wtp2, GH * 8, fp(ly.wt, inSize), K, fp(dxin, inSize), K, 0);
  for (let p = 0; p < P; p++) for (let j = 0; j < H; j++) st(dhc, p * H + j, ld(dhc, p * H + j) + ld(dxin, p * K + inSize + j));
}

export function gruWeightGrads(ly: Layer, rows: i32): void {
  const H = Dims.H;
  const GH = GRU_GATES * H;
  const inSize = ly.inSize;
  const K = inSize + H;
  const grad = Params.grad;
  gemmTN(inSize, GH, rows, ly.xin, K, ly.dz, GH, fp(grad, ly.wih), GH);
  gemmTN(H, GH, rows, fp(ly.xin, inSize), K, ly.dgh, GH, fp(grad, ly.whh), GH);
  colsumAcc(rows, GH, ly.dz, GH, fp(grad, ly.bih));
  colsumAcc(rows, GH, ly.dgh, GH, fp(grad, ly.bhh));
}
