// The training loss of a window of L steps, reference section 3, with its gradient:
//   free_running    = MSE(out[free-running lanes], y)
//   teacher_forcing = MSE(out[teacher-forced lanes], y)
//   hidden          = MSE(h1, stop_gradient(h2)), h1 / h2 the top layer's outputs (after the
//                     output dropout) in the free-running / teacher-forced lanes
// with y = the next input row. Means over all lanes of the batch (Lanes.total, see the lane
// split in ./layout.ts); sums in f64.
import { alloc, allocF, fp, ld, st } from './memory';
import { Dims, Lanes, Win } from './layout';

export const TERMS = 3;

export class Loss {
  /** f64 x TERMS: free_running, teacher_forcing, hidden (of the last window). */
  static terms: usize = 0;
  /** Hidden-matching targets held fixed for the numerical gradient check (tests only): [L, B, H]. */
  static frozen: usize = 0;
  static freezeHidden: bool = false;
}

export function lossAllocate(maxSteps: i32): void {
  Loss.terms = alloc(TERMS * 8);
  Loss.frozen = allocF(maxSteps * Lanes.B * Dims.H);
}

/** The terms of the window just run forward (Win.outs, Win.tops) -> Loss.terms. */
export function lossTerms(seq: usize, start: i32, L: i32): void {
  const B = Lanes.B;
  const P = Lanes.P;
  const C = Dims.C;
  const H = Dims.H;
  const BC = B * C;
  const PH = P * H;
  let l1: f64 = 0, l2: f64 = 0, l3: f64 = 0;
  for (let t = 0; t < L; t++) {
    const o = fp(Win.outs, t * P * C);
    const y = fp(seq, (start + t + 1) * BC);
    for (let i = 0; i < BC; i++) {
      const d1 = <f64>(ld(o, i) - ld(y, i));
      const d2 = <f64>(ld(o, BC + i) - ld(y, i));
      l1 += d1 * d1;
      l2 += d2 * d2;
    }
    const tp = fp(Win.tops, t * PH);
    const h2 = Loss.freezeHidden ? fp(Loss.frozen, t * B * H) : fp(tp, B * H);
    for (let i = 0; i < B * H; i++) {
      const d3 = <f64>(ld(tp, i) - ld(h2, i));
      l3 += d3 * d3;
    }
  }
  const BT = Lanes.total;
  store<f64>(Loss.terms, l1 / <f64>(L * BT * C));
  store<f64>(Loss.terms + 8, l2 / <f64>(L * BT * C));
  store<f64>(Loss.terms + 16, l3 / <f64>(L * BT * H));
}

/** Step t: gradient of both MSE terms on the predictions of both lane groups -> dout [P, C]. */
export function outputGradient(seq: usize, start: i32, L: i32, t: i32, dout: usize): void {
  const C = Dims.C;
  const BC = Lanes.B * C;
  const sOut = <f32>(2.0 / <f64>(L * Lanes.total * C));
  const o = fp(Win.outs, t * Lanes.P * C);
  const y = fp(seq, (start + t + 1) * BC);
  for (let i = 0; i < BC; i++) {
    st(dout, i, sOut * (ld(o, i) - ld(y, i)));
    st(dout, BC + i, sOut * (ld(o, BC + i) - ld(y, i)));
  }
}

/** Step t: adds the hidden term's gradient on h1 (free-running lanes; h2 is a stop-gradient target) to dtop [P, H]. */
export function hiddenGradient(L: i32, t: i32, dtop: usize): void {
  const H = Dims.H;
  const BH = Lanes.B * H;
  const sHid = <f32>(2.0 / <f64>(L * Lanes.total * H));
  const top = fp(Win.tops, t * Lanes.P * H);
  for (let i = 0; i < BH; i++) st(dtop, i, ld(dtop, i) + sHid * (ld(top, i) - ld(top, BH + i)));
}

/** Copy h2 of the last forward pass of L steps (on) and use it as the hidden target of later passes, or release it. */
export function freezeHiddenTargets(L: i32, on: bool): void {
  const BH = Lanes.B * Dims.H;
  if (on) for (let t = 0; t < L; t++) memory.copy(fp(Loss.frozen, t * BH), fp(Win.tops, t * Lanes.P * Dims.H + BH), <usize>BH << 2);
  Loss.freezeHidden = on;
}
