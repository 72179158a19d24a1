// The cell types behind one interface: each cell's file (./cells/*.ts) holds its gate count,
// its own buffers, forward step, backward step, input/hidden gradient and weight gradients;
// this file only dispatches on Dims.cell (static calls, so the compiler can inline).
import { Dims, GRU, Layer, LSTM } from './layout';
import { stackedPrepare, stackedProjectBack, stackedWeightGrads } from './cells/stacked';
import { LSTM_GATES, lstmAllocate, lstmBackward, lstmForward } from './cells/lstm';
import { GRU_GATES, gruAllocate, gruBackward, gruForward, gruPrepare, gruProjectBack, gruWeightGrads } from './cells/gru';
import { RNN_GATES, rnnAllocate, rnnBackward, rnnForward } from './cells/rnn';

/** Gate blocks G of a cell type (pre-activation width G * H). */
export function cellGates(cell: i32): i32 {
  return cell == LSTM ? LSTM_GATES : cell == GRU ? GRU_GATES : RNN_GATES;
}

/** The cell's own per-layer buffers for windows of up to L steps of P lanes. */
export function cellAllocate(ly: Layer, L: i32, P: i32): void {
  if (Dims.cell == LSTM) lstmAllocate(ly, L, P);
  else if (Dims.cell == GRU) gruAllocate(ly, L, P);
  else rnnAllocate(ly);
}

/** Derived weights of a layer after a parameter change (after ly.wt and ly.wp are updated). */
export function cellPrepare(ly: Layer): void {
  if (Dims.cell == GRU) gruPrepare(ly);
  else stackedPrepare(ly);
}

/**
 * One layer, one step, `lanes` rows: xin [lanes, K] (input then h_prev), cp = c_prev
 * (LSTM); writes act [lanes, GH], h [lanes, H], and the cell's extras: c and tanh(c) (LSTM,
 * tcOut = 0: not kept), gh (GRU). Unused pointers may be 0.
 */
export function cellForward(ly: Layer, lanes: i32, xin: usize, cp: usize, act: usize, hOut: usize, cOut: usize, gh: usize, tcOut: usize): void {
  if (Dims.cell == GRU) gruForward(ly, lanes, xin, act, hOut, gh);
  else if (Dims.cell == LSTM) lstmForward(ly, lanes, xin, cp, act, hOut, cOut, tcOut);
  else rnnForward(ly, lanes, xin, act, hOut);
}

/** Step t of BPTT: Win.dh (total gradient on h_t) -> ly.dz (GRU: and ly.dgh, the direct term in ly.dhc; LSTM: carries ly.dcc). */
export function cellBackward(ly: Layer, t: i32): void {
  if (Dims.cell == LSTM) lstmBackward(ly, t);
  else if (Dims.cell == GRU) gruBackward(ly, t);
  else rnnBackward(ly, t);
}

/** Step t: gradient on the layer's [input, h_prev] rows -> Win.dxin; the carried h gradient -> ly.dhc. */
export function cellProjectBack(ly: Layer, t: i32): void {
  if (Dims.cell == GRU) gruProjectBack(ly, t);
  else stackedProjectBack(ly, t);
}

/** The layer's weight and bias gradients over all `rows` = steps x lanes of the window (-> Params.grad). */
export function cellWeightGrads(ly: Layer, rows: i32): void {
  if (Dims.cell == GRU) gruWeightGrads(ly, rows);
  else stackedWeightGrads(ly, rows);
}
