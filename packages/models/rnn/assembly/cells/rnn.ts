// Elman RNN cells: h' = tanh(z) (RNN_TANH) or relu(z) (RNN_RELU), one gate block, one
// pre-activation product (./stacked.ts).
import { fp, ld, st } from '../memory';
import { reluInPlace, tanhInPlace } from '../math';
import { Dims, Lanes, Layer, RNN_TANH, Win } from '../layout';
import { stackedAllocate, stackedPreactivations } from './stacked';

export const RNN_GATES = 1;

export function rnnAllocate(ly: Layer): void {
  stackedAllocate(ly);
}

/** One step for `lanes` rows: xin [lanes, K] (input then h_prev) -> act = h [lanes, H]. */
export function rnnForward(ly: Layer, lanes: i32, xin: usize, act: usize, hOut: usize): void {
  const H = Dims.H;
  stackedPreactivations(ly, lanes, xin, act);
  if (Dims.cell == RNN_TANH) tanhInPlace(act, lanes * H);
  else reluInPlace(act, lanes * H);
  memory.copy(hOut, act, <usize>(lanes * H) << 2);
}

/** Step t: Win.dh -> dz (from the stored h_t). */
export function rnnBackward(ly: Layer, t: i32): void {
  const H = Dims.H;
  const PH = Lanes.P * H;
  const dz = fp(ly.dz, t * PH);
  const hs = fp(ly.hs, (t + 1) * PH);
  const dh = Win.dh;
  const tanh = Dims.cell == RNN_TANH;
  for (let i = 0; i < PH; i++) {
    const h = ld(hs, i);
    const g = ld(dh, i);
    st(dz, i, tanh ? g * (1 - h * h) : h > 0 ? g : <f32>0);
  }
}
