// The batched multi-step forecast (reference section 5, eval mode), `chunk` rows at a time:
// a teacher-forced pass row by row records each row's 1-step prediction and state, then
// horizon - 1 free-running steps run for all rows of the chunk at once, each from its own
// recorded state. Same cells and decoder as training (./cells.ts, ./network.ts).
import { alloc, allocF, fp, ld, st } from './memory';
import { gemm, reservePackedRows } from './gemm';
import { copyRows } from './rows';
import { Dims, layer, Params } from './layout';
import { cellForward } from './cells';
import { decode } from './network';

class Forecast {
  static chunk: i32 = 0;
  static horizon: i32 = 0;
  /** Input rows [chunk, C]; predictions of the current / next step [chunk, C]; output [chunk, horizon, C]. */
  static input: usize = 0;
  static predA: usize = 0;
  static predB: usize = 0;
  static out: usize = 0;
  /** Cell scratch [chunk, GH] (activations, GRU hidden side). */
  static act: usize = 0;
  static gh: usize = 0;
  /** State carried between chunks: per layer [h; c], each [H]. */
  static state: usize = 0;
}

/** Per layer: [input, h] rows [chunk, K] and one row [K]; two sets of h and c [chunk, H] (current / next step). */
@unmanaged class ForecastLayer {
  xin: usize;
  xrow: usize;
  hA: usize;
  cA: usize;
  hB: usize;
  cB: usize;
}

let forecastTab: usize = 0;

@inline function fl(l: i32): ForecastLayer {
  return changetype<ForecastLayer>(forecastTab + <usize>l * offsetof<ForecastLayer>());
}

/** Buffers of the batched forecast; returns the output's address. Once per kernel. */
export function forecastAllocate(chunk: i32, horizon: i32): usize {
  const C = Dims.C, H = Dims.H, NL = Dims.layers;
  Forecast.chunk = chunk; Forecast.horizon = horizon;
  const GH = Dims.gates * H;
  Forecast.input = allocF(chunk * C); Forecast.predA = allocF(chunk * C); Forecast.predB = allocF(chunk * C);
  Forecast.act = allocF(chunk * GH); Forecast.gh = allocF(chunk * GH);
  Forecast.out = allocF(chunk * horizon * C);
  Forecast.state = allocF(NL * 2 * H);
  forecastTab = alloc(NL * <i32>offsetof<ForecastLayer>());
  for (let l = 0; l < NL; l++) {
    const K = layer(l).inSize + H;
    const f = fl(l);
    f.xin = allocF(chunk * K);
    f.xrow = allocF(K);
    f.hA = allocF(chunk * H);
    f.cA = allocF(chunk * H);
    f.hB = allocF(chunk * H);
    f.cB = allocF(chunk * H);
  }
  // gemmPanels' row packing for the free-running steps' products ([chunk, K]).
  let maxK = 0;
  for (let l = 0; l < NL; l++) maxK = max(maxK, layer(l).inSize + H);
  reservePackedRows(chunk, maxK);
  return Forecast.out;
}

export function forecastInput(): usize {
  return Forecast.input;
}

/** The carried state (per layer [h; c], each [H]): streams save and restore theirs around each row. */
export function forecastState(): usize {
  return Forecast.state;
}

export function forecastReset(): void {
  memory.fill(Forecast.state, 0, <usize>(Dims.layers * 2 * Dims.H) << 2);
}

/**
 * Teacher-forced pass over rows [0, n) of Forecast.input ([n, C], n <= chunk), one row at a
 * time from the carried forecast state, which is then carried on to row n - 1's. Records
 * each row's 1-step prediction (Forecast.predA, and the output's k = 1 entries) and per
 * layer h and c (hA, cA): all that forecastFree needs.
 */
export function forecastTeacher(n: i32): void {
  const C = Dims.C, E = Dims.E, H = Dims.H, NL = Dims.layers;
  const W = Forecast.horizon;
  const out = Forecast.out;
  const state = Forecast.state;
  const K0 = E + H;
  const encW = fp(Params.values, Params.encW);
  const encB = fp(Params.values, Params.encB);
  for (let t = 0; t < n; t++) {
    const x = fp(Forecast.input, t * C);
    const xr0 = fl(0).xrow;
    gemm(1, E, C, x, C, 1, encW, E, xr0, K0, false, encB);
    for (let l = 0; l < NL; l++) {
      const ly = layer(l);
      const f = fl(l);
      const inSize = ly.inSize;
      const xr = f.xrow;
      const hA = f.hA;
      const cA = f.cA;
      const hp = t == 0 ? fp(state, l * 2 * H) : fp(hA, (t - 1) * H);
      const cp = t == 0 ? fp(state, (l * 2 + 1) * H) : fp(cA, (t - 1) * H);
      memory.copy(fp(xr, inSize), hp, <usize>H << 2);
      cellForward(ly, 1, xr, cp, Forecast.act, fp(hA, t * H), fp(cA, t * H), Forecast.gh, 0);
      if (l + 1 < NL) memory.copy(fl(l + 1).xrow, fp(hA, t * H), <usize>H << 2);
    }
    decode(1, fp(fl(NL - 1).hA, t * H), x, fp(Forecast.predA, t * C));
    for (let c = 0; c < C; c++) st(out, t * W * C + c, ld(Forecast.predA, t * C + c));
  }
  for (let l = 0; l < NL; l++) {
    memory.copy(fp(state, l * 2 * H), fp(fl(l).hA, (n - 1) * H), <usize>H << 2);
    memory.copy(fp(state, (l * 2 + 1) * H), fp(fl(l).cA, (n - 1) * H), <usize>H << 2);
  }
}

/**
 * The horizon - 1 free-running steps of rows [from, to) recorded by forecastTeacher, all
 * these rows at once, each from its own recorded state (output k >= 2 of those rows). Every
 * row is computed on its own (the products' per-row sums do not depend on the row range),
 * so any split of [0, n) into ranges gives the same bits as one range: a second instance
 * can take part of the rows (../src/fused/forecast-threads.ts).
 */
export function forecastFree(from: i32, to: i32): void {
  const C = Dims.C, E = Dims.E, H = Dims.H, NL = Dims.layers;
  const W = Forecast.horizon;
  const n = to - from;
  if (n <= 0) return;
  const out = fp(Forecast.out, from * W * C);
  const K0 = E + H;
  const encW = fp(Params.values, Params.encW);
  const encB = fp(Params.values, Params.encB);
  let input = fp(Forecast.predA, from * C);
  let output = fp(Forecast.predB, from * C);
  let useA = true;
  for (let k = 2; k <= W; k++) {
    const xin0 = fl(0).xin;
    gemm(n, E, C, input, C, 1, encW, E, xin0, K0, false, encB);
    for (let l = 0; l < NL; l++) {
      const ly = layer(l);
      const f = fl(l);
      const inSize = ly.inSize;
      const K = inSize + H;
      const xin = f.xin;
      const hCur = fp(useA ? f.hA : f.hB, from * H);
      const cCur = fp(useA ? f.cA : f.cB, from * H);
      const hNext = fp(useA ? f.hB : f.hA, from * H);
      const cNext = fp(useA ? f.cB : f.cA, from * H);
      copyRows(n, H, hCur, H, fp(xin, inSize), K, 0);
      cellForward(ly, n, xin, cCur, Forecast.act, hNext, cNext, Forecast.gh, 0);
      if (l + 1 < NL) copyRows(n, H, hNext, H, fl(l + 1).xin, H + H, 0);
    }
    useA = !useA;
    decode(n, fp(useA ? fl(NL - 1).hA : fl(NL - 1).hB, from * H), input, output);
    for (let t = 0; t < n; t++) for (let c = 0; c < C; c++) st(out, (t * W + k - 1) * C + c, ld(output, t * C + c));
    const swap = input;
    input = output;
    output = swap;
  }
}

/**
 * `n` <= chunk rows at Forecast.input ([n, C]), continuing from the carried forecast state.
 * Output: [(t * horizon + k - 1) * C + c] = prediction of x_{t+k} made at row t.
 */
export function forecastRows(n: i32): void {
  forecastTeacher(n);
  forecastFree(0, n);
}
