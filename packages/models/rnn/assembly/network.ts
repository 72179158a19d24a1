// The network over a window: encoder -> dropout -> stacked cells (dropout between) ->
// dropout -> decoder (+ x when residual), for both lane groups at once (P = 2B rows per
// step, free-running lanes first, fed their own previous prediction), and its BPTT. The
// forward pass keeps per step and layer the [input, h_prev] rows and the cell's
// activations, so the backward pass is plain BPTT; input-side weight gradients are one
// A^T D GEMM per layer over all steps x lanes at the end.
import { fp, ld, st } from './memory';
import { colsumAcc, dotRows, gemm, gemmTN, outerAccSmallN, pack8 } from './gemm';
import { copyRows, maskedAdd } from './rows';
import { at, Dims, Lanes, layer, Params, Win } from './layout';
import { cellBackward, cellForward, cellPrepare, cellProjectBack, cellWeightGrads } from './cells';
import { maskAt } from './dropout';
import { hiddenGradient, lossTerms, outputGradient } from './loss';

/** Derived weights after a parameter change: transposes, panel copies, summed biases. */
export function prepare(): void {
  const C = Dims.C, E = Dims.E, H = Dims.H;
  const params = Params.values;
  for (let k = 0; k < C; k++) for (let j = 0; j < E; j++) st(Params.encWT, j * C + k, ld(params, Params.encW + k * E + j));
  for (let k = 0; k < H; k++) for (let j = 0; j < C; j++) st(Params.decWT, j * H + k, ld(params, Params.decW + k * C + j));
  const GH = Dims.gates * H;
  for (let l = 0; l < Dims.layers; l++) {
    const ly = layer(l);
    const K = ly.inSize + H;
    const w = fp(params, ly.wih); // [W_ih; W_hh] stacked: [K, GH]
    const wt = ly.wt;
    for (let k = 0; k < K; k++) for (let j = 0; j < GH; j++) st(wt, j * K + k, ld(w, k * GH + j));
    pack8(w, GH, K, GH, ly.wp, K * 8);
    cellPrepare(ly);
  }
}

/** Carried state (teacher-forced lanes of the last window) to zeros. */
export function resetState(): void {
  memory.fill(Win.state, 0, <usize>(Dims.layers * 2 * Lanes.B * Dims.H) << 2);
}

/** Decoder: out [lanes, C] = top @ Wd + bd (+ x when residual). */
export function decode(lanes: i32, top: usize, x: usize, out: usize): void {
  dotRows(lanes, Dims.C, Dims.H, top, Dims.H, Params.decWT, out, fp(Params.values, Params.decB));
  if (Dims.residual) for (let i = 0; i < lanes * Dims.C; i++) st(out, i, ld(out, i) + ld(x, i));
}

/** The forward pass of a window (both lane groups) from the carried state, its loss terms, then the state is carried on. */
export function forwardWindow(seq: usize, start: i32, L: i32, useMasks: bool): void {
  const B = Lanes.B, P = Lanes.P;
  const C = Dims.C, E = Dims.E, H = Dims.H, NL = Dims.layers;
  const GH = Dims.gates * H;
  const BC = B * C;
  const PH = P * H;
  const BH = B * H;
  // Initial states: carried state for both lane groups.
  for (let l = 0; l < NL; l++) {
    const ly = layer(l);
    const sh = fp(Win.state, (l * 2) * BH);
    memory.copy(ly.hs, sh, <usize>BH << 2);
    memory.copy(fp(ly.hs, BH), sh, <usize>BH << 2);
    if (ly.cs != 0) {
      const sc = fp(Win.state, (l * 2 + 1) * BH);
      memory.copy(ly.cs, sc, <usize>BH << 2);
      memory.copy(fp(ly.cs, BH), sc, <usize>BH << 2);
    }
  }
  for (let t = 0; t < L; t++) {
    const x = fp(Win.xs, t * P * C);
    // Free-running lanes: the first input row, then the previous prediction.
    if (t == 0) memory.copy(x, fp(seq, (start + t) * BC), <usize>BC << 2);
    else memory.copy(x, fp(Win.outs, (t - 1) * P * C), <usize>BC << 2);
    memory.copy(fp(x, BC), fp(seq, (start + t) * BC), <usize>BC << 2);
    // Encoder straight into layer 0's input columns, then its dropout.
    const K0 = E + H;
    const xin0 = fp(layer(0).xin, t * P * K0);
    gemm(P, E, C, x, C, 1, fp(Params.values, Params.encW), E, xin0, K0, false, fp(Params.values, Params.encB));
    const m0 = maskAt(t, 0, useMasks);
    if (m0 != 0) copyRows(P, E, xin0, K0, xin0, K0, m0);
    for (let l = 0; l < NL; l++) {
      const ly = layer(l);
      const K = ly.inSize + H;
      const xin = fp(ly.xin, t * P * K);
      const hs = ly.hs;
      copyRows(P, H, fp(hs, t * PH), H, fp(xin, ly.inSize), K, 0);
      cellForward(ly, P, xin, at(ly.cs, t * PH), fp(ly.act, t * P * GH), fp(hs, (t + 1) * PH), at(ly.cs, (t + 1) * PH), at(ly.gh, t * P * GH), at(ly.tc, t * PH));
      const m = maskAt(t, l + 1, useMasks);
      if (l + 1 < NL) {
        const K1 = H + H;
        copyRows(P, H, fp(hs, (t + 1) * PH), H, fp(layer(l + 1).xin, t * P * K1), K1, m);
      } else {
        copyRows(P, H, fp(hs, (t + 1) * PH), H, fp(Win.tops, t * PH), H, m);
      }
    }
    decode(P, fp(Win.tops, t * PH), x, fp(Win.outs, t * P * C));
  }
  lossTerms(seq, start, L);
  // Carry the teacher-forced lanes' final state.
  for (let l = 0; l < NL; l++) {
    const ly = layer(l);
    memory.copy(fp(Win.state, (l * 2) * BH), fp(ly.hs, L * PH + BH), <usize>BH << 2);
    if (ly.cs != 0) memory.copy(fp(Win.state, (l * 2 + 1) * BH), fp(ly.cs, L * PH + BH), <usize>BH << 2);
  }
}

/** Backpropagation through the window (after forwardWindow with the same arguments): fills Params.grad. */
export function backwardWindow(seq: usize, start: i32, L: i32, useMasks: bool): void {
  const B = Lanes.B, P = Lanes.P;
  const C = Dims.C, E = Dims.E, H = Dims.H, NL = Dims.layers;
  const BC = B * C;
  const PH = P * H;
  const grad = Params.grad;
  const dx = Win.dx, dh = Win.dh, dtop = Win.dtop, dxin = Win.dxin;
  memory.fill(grad, 0, <usize>Dims.count << 2);
  for (let l = 0; l < NL; l++) {
    memory.fill(layer(l).dhc, 0, <usize>PH << 2);
    memory.fill(layer(l).dcc, 0, <usize>PH << 2);
  }
  for (let t = L - 1; t >= 0; t--) {
    const dout = fp(Win.douts, t * P * C);
    outputGradient(seq, start, L, t, dout);
    // The free-running prediction is the next step's input.
    if (t < L - 1) for (let i = 0; i < BC; i++) st(dout, i, ld(dout, i) + ld(dx, i));
    gemm(P, H, C, dout, C, 1, Params.decWT, H, dtop, H, false, 0);
    hiddenGradient(L, t, dtop);
    // Down the stack.
    maskedAdd(P, H, dtop, H, maskAt(t, NL, useMasks), layer(NL - 1).dhc, dh);
    for (let l = NL - 1; l >= 0; l--) {
      const ly = layer(l);
      const K = ly.inSize + H;
      cellBackward(ly, t);
      cellProjectBack(ly, t);
      if (l > 0) maskedAdd(P, H, dxin, K, maskAt(t, l, useMasks), layer(l - 1).dhc, dh);
      else copyRows(P, E, dxin, K, fp(Win.dencs, t * P * E), E, maskAt(t, 0, useMasks));
    }
    // Gradient on the model input (only the free-running lanes' is used, by step t - 1).
    dotRows(P, C, E, fp(Win.dencs, t * P * E), E, fp(Params.values, Params.encW), dx, 0); // encoder.weight [C, E] is the transpose needed
    if (Dims.residual) for (let i = 0; i < BC; i++) st(dx, i, ld(dx, i) + ld(dout, i));
  }
  // Weight gradients, batched over all steps and lanes: A^T @ D.
  const rows = L * P;
  gemmTN(C, E, rows, Win.xs, C, Win.dencs, E, fp(grad, Params.encW), E);
  colsumAcc(rows, E, Win.dencs, E, fp(grad, Params.encB));
  for (let l = 0; l < NL; l++) cellWeightGrads(layer(l), rows);
  outerAccSmallN(rows, C, H, Win.tops, Win.douts, fp(grad, Params.decW), Win.decScratch);
  colsumAcc(rows, C, Win.douts, C, fp(grad, Params.decB));
}
