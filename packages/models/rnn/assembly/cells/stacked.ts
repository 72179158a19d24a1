// Shared by the cells whose pre-activations are one product [x, h_prev] @ [W_ih; W_hh] +
// (b_ih + b_hh) (LSTM, RNN): the product, its input/hidden gradient and the weight
// gradients (b_ih and b_hh get the same gradient).
import { allocF, fp, ld, st } from '../memory';
import { colsumAcc, gemmPanels, gemmTN, pack8 } from '../gemm';
import { copyRows } from '../rows';
import { Dims, Lanes, Layer, Params, Win } from '../layout';

/** bias sum [GH] and the panel copy of W^T over all K columns. */
export function stackedAllocate(ly: Layer): void {
  const GH = Dims.gates * Dims.H;
  ly.bsum = allocF(GH);
  ly.wtp = allocF(GH * (ly.inSize + Dims.H));
}

export function stackedPrepare(ly: Layer): void {
  const GH = Dims.gates * Dims.H;
  const K = ly.inSize + Dims.H;
  const bih = fp(Params.values, ly.bih);
  const bhh = fp(Params.values, ly.bhh);
  for (let j = 0; j < GH; j++) st(ly.bsum, j, ld(bih, j) + ld(bhh, j));
  pack8(ly.wt, K, GH, K, ly.wtp, GH * 8);
}

/** act [lanes, GH] = xin [lanes, K] @ [W_ih; W_hh] + bsum. */
export function stackedPreactivations(ly: Layer, lanes: i32, xin: usize, act: usize): void {
  const GH = Dims.gates * Dims.H;
  const K = ly.inSize + Dims.H;
  gemmPanels(lanes, GH, K, xin, K, ly.wp, K * 8, fp(Params.values, ly.wih), GH, act, GH, ly.bsum);
}

/** Step t: Win.dxin [P, K] = dz @ W^T; the h_prev columns are the carried h gradient. */
export function stackedProjectBack(ly: Layer, t: i32): void {
  const P = Lanes.P;
  const H = Dims.H;
  const GH = Dims.gates * H;
  const K = ly.inSize + H;
  gemmPanels(P, K, GH, fp(ly.dz, t * P * GH), GH, ly.wtp, GH * 8, ly.wt, K, Win.dxin, K, 0);
  copyRows(P, H, fp(Win.dxin, ly.inSize), K, ly.dhc, H, 0);
}

/** Weight and bias gradients over all `rows` = steps x lanes of the window. */
export function stackedWeightGrads(ly: Layer, rows: i32): void {
  const GH = Dims.gates * Dims.H;
  const K = ly.inSize + Dims.H;
  gemmTN(K, GH, rows, ly.xin, K, ly.dz, GH, fp(Params.grad, ly.wih), GH);
  colsumAcc(rows, GH, ly.dz, GH, fp(Params.grad, ly.bih));
  memory.copy(fp(Params.grad, ly.bhh), fp(Params.grad, ly.bih), <usize>GH << 2);
}
