// Fused recurrent engine (AssemblyScript -> WebAssembly with 128-bit SIMD).
//
// One training window of the reference's three-term loss: the free-running and the
// teacher-forced lanes together (P = 2B lanes, free-running lanes first), encoder, all
// layers, decoder, the loss terms, backpropagation through time, global-norm clipping and
// the Adam update with L2 weight decay, over buffers that are allocated once (`init`).
// Same equations, parameter layout and dropout masks as the tfjs path in ../src
// (rnn-model.ts, cells.ts, dropout.ts, adam.ts); the JS side is ../src/fused/engine.ts.
//
// Build: `npm run build:wasm -w @anomalab/model-rnn` (./build.mjs). Memory: ./memory.ts
// (bump allocator, nothing is freed); SIMD math ./math.ts; dense products ./gemm.ts.

import { alloc, allocF, fp, ld, st } from './memory';
import { reluInPlace, sigmoidInPlace, ssigmoid, stanh, tanhInPlace, vsigmoid, vtanh } from './math';
import { colsumAcc, dotRows, gemm, gemmPanels, gemmTN, outerAccSmallN, pack8 } from './gemm';
import { copyRows, maskedAdd } from './rows';

export { alloc } from './memory';
export { gemmTNExported, gemm } from './gemm';

// ---------------------------------------------------------------- model layout

const LSTM = 0;
const GRU = 1;
const RNN_TANH = 2;
const RNN_RELU = 3;

let C = 0, E = 0, H = 0, NL = 0, CELL = 0, G = 0, B = 0, P = 0, LMAX = 0, NPARAMS = 0;
// Lane split (two threads, ../src/fused/threads.ts): this instance holds lanes
// [LANE0, LANE0 + B) of a batch of BT lanes per lane group. The loss means are over all BT
// lanes (so the instances' gradients and terms sum to the full batch's) and the dropout
// masks are those of the same lanes in the full batch. Unsplit: BT == B, LANE0 == 0.
let BT = 0, LANE0 = 0;
let RESIDUAL = false;

let params: usize = 0, grad: usize = 0, adamM: usize = 0, adamV: usize = 0;
let offEncW = 0, offEncB = 0, offDecW = 0, offDecB = 0;
let encWT: usize = 0, decWT: usize = 0;
let xs: usize = 0, tops: usize = 0, outs: usize = 0, douts: usize = 0, dencs: usize = 0, masks: usize = 0;
let dtop: usize = 0, dxin: usize = 0, dx: usize = 0, dh: usize = 0;
let stateBuf: usize = 0, terms: usize = 0, decScratch: usize = 0;
// Hidden-matching targets frozen for the numerical gradient check (tests only).
let frozen: usize = 0;
let freezeHidden = false;
let maskWidth = 0;

// Per-layer table of i32 entries.
let layerTab: usize = 0;
const LT_IN = 0, LT_WIH = 1, LT_WHH = 2, LT_BIH = 3, LT_BHH = 4, LT_WT = 5, LT_XIN = 6, LT_ACT = 7, LT_HS = 8, LT_CS = 9;
const LT_DZ = 10, LT_DGH = 11, LT_GH = 12, LT_DHC = 13, LT_DCC = 14, LT_BSUM = 15, LT_TC = 16;
// Panel copies (pack8) of W [K, GH] and W^T [GH, K] (GRU: W^T's input and hidden columns apart).
const LT_WP = 17, LT_WTP = 18, LT_WTP2 = 19;
const LT_SIZE = 20;
@inline function lt(l: i32, k: i32): i32 {
  return load<i32>(layerTab + (<usize>(l * LT_SIZE + k) << 2));
}
@inline function setLt(l: i32, k: i32, v: i32): void {
  store<i32>(layerTab + (<usize>(l * LT_SIZE + k) << 2), v);
}
@inline function ltp(l: i32, k: i32): usize {
  return <usize>lt(l, k);
}

/**
 * Sizes, then allocate every buffer of a window of up to `lmax` steps and `b` lanes per
 * lane group. Parameter layout = parameterLayout() of ../src/rnn-model.ts. Returns the
 * number of parameters.
 */
export function init(c: i32, e: i32, h: i32, n: i32, cell: i32, residual: bool, b: i32, lmax: i32): i32 {
  C = c; E = e; H = h; NL = n; CELL = cell; RESIDUAL = residual; B = b; P = 2 * b; LMAX = lmax;
  BT = b; LANE0 = 0;
  G = cell == LSTM ? 4 : cell == GRU ? 3 : 1;
  const GH = G * H;
  layerTab = alloc(n * LT_SIZE * 4);
  let off = 0;
  offEncW = off; off += C * E;
  offEncB = off; off += E;
  for (let l = 0; l < n; l++) {
    const inSize = l == 0 ? E : H;
    setLt(l, LT_IN, inSize);
    setLt(l, LT_WIH, off); off += inSize * GH;
    setLt(l, LT_WHH, off); off += H * GH;
    setLt(l, LT_BIH, off); off += GH;
    setLt(l, LT_BHH, off); off += GH;
  }
  offDecW = off; off += H * C;
  offDecB = off; off += C;
  NPARAMS = off;
  params = allocF(off); grad = allocF(off); adamM = allocF(off); adamV = allocF(off);
  encWT = allocF(E * C); decWT = allocF(C * H);
  xs = allocF(LMAX * P * C); outs = allocF(LMAX * P * C); douts = allocF(LMAX * P * C);
  tops = allocF(LMAX * P * H); dencs = allocF(LMAX * P * E);
  maskWidth = E + n * H;
  masks = allocF(LMAX * P * maskWidth);
  dtop = allocF(P * H); dx = allocF(P * C); dh = allocF(P * H);
  const maxIn = E > H ? E : H;
  dxin = allocF(P * (maxIn + H));
  stateBuf = allocF(n * 2 * B * H);
  terms = alloc(3 * 8);
  frozen = allocF(LMAX * B * H);
  decScratch = allocF(C * H);
  for (let l = 0; l < n; l++) {
    const inSize = lt(l, LT_IN);
    setLt(l, LT_WT, <i32>allocF(GH * (inSize + H)));
    setLt(l, LT_XIN, <i32>allocF(LMAX * P * (inSize + H)));
    setLt(l, LT_ACT, <i32>allocF(LMAX * P * GH));
    setLt(l, LT_HS, <i32>allocF((LMAX + 1) * P * H));
    setLt(l, LT_CS, cell == LSTM ? <i32>allocF((LMAX + 1) * P * H) : 0);
    setLt(l, LT_TC, cell == LSTM ? <i32>allocF(LMAX * P * H) : 0);
    setLt(l, LT_DZ, <i32>allocF(LMAX * P * GH));
    setLt(l, LT_DGH, cell == GRU ? <i32>allocF(LMAX * P * GH) : 0);
    setLt(l, LT_GH, cell == GRU ? <i32>allocF(LMAX * P * GH) : 0);
    setLt(l, LT_DHC, <i32>allocF(P * H));
    setLt(l, LT_DCC, <i32>allocF(P * H));
    setLt(l, LT_BSUM, <i32>allocF(GH));
    setLt(l, LT_WP, <i32>allocF((inSize + H) * GH));
    setLt(l, LT_WTP, <i32>allocF(GH * (inSize + H)));
    setLt(l, LT_WTP2, <i32>allocF(GH * H));
  }
  return off;
}

/** This instance computes lanes [offset, offset + b) of a batch of `total` lanes (see BT). */
export function setLaneSplit(total: i32, offset: i32): void {
  BT = total;
  LANE0 = offset;
}

export function paramsPtr(): usize { return params; }
export function gradPtr(): usize { return grad; }
export function adamMPtr(): usize { return adamM; }
export function adamVPtr(): usize { return adamV; }
export function statePtr(): usize { return stateBuf; }
export function termsPtr(): usize { return terms; }
export function outsPtr(): usize { return outs; }
export function masksPtr(): usize { return masks; }

/** Derived weights after a parameter change: transposes and summed biases. */
export function prepare(): void {
  for (let k = 0; k < C; k++) for (let j = 0; j < E; j++) st(encWT, j * C + k, ld(params, offEncW + k * E + j));
  for (let k = 0; k < H; k++) for (let j = 0; j < C; j++) st(decWT, j * H + k, ld(params, offDecW + k * C + j));
  const GH = G * H;
  for (let l = 0; l < NL; l++) {
    const K = lt(l, LT_IN) + H;
    const w = fp(params, lt(l, LT_WIH)); // [W_ih; W_hh] stacked: [K, GH]
    const wt = ltp(l, LT_WT);
    for (let k = 0; k < K; k++) for (let j = 0; j < GH; j++) st(wt, j * K + k, ld(w, k * GH + j));
    const bsum = ltp(l, LT_BSUM);
    const bih = fp(params, lt(l, LT_BIH));
    const bhh = fp(params, lt(l, LT_BHH));
    for (let j = 0; j < GH; j++) st(bsum, j, ld(bih, j) + ld(bhh, j));
    pack8(w, GH, K, GH, ltp(l, LT_WP), K * 8);
    if (CELL == GRU) {
      const inSize = lt(l, LT_IN);
      pack8(wt, K, GH, inSize, ltp(l, LT_WTP), GH * 8);
      pack8(fp(wt, inSize), K, GH, H, ltp(l, LT_WTP2), GH * 8);
    } else {
      pack8(wt, K, GH, K, ltp(l, LT_WTP), GH * 8);
    }
  }
}

/** Carried state (teacher-forced lanes of the last window) to zeros. */
export function resetState(): void {
  memory.fill(stateBuf, 0, <usize>(NL * 2 * B * H) << 2);
}

// ---------------------------------------------------------------- dropout masks

/**
 * Same stream as ../src/dropout.ts: mulberry32(seed), value < rate -> 0 else 1/(1-rate).
 * mulberry32's state is a counter (seed + i * 0x6d2b79f5), so 4 draws run per SIMD lane
 * group; u = r / 2^32 < rate  <=>  r < ceil(rate * 2^32) (exact: r is an integer).
 */
function drawMasks(L: i32, rate: f64, seed: u32): void {
  const keep = <f32>(1.0 / (1.0 - rate));
  if (BT == B) {
    drawRun(masks, L * P * maskWidth, rate, keep, seed, 0);
    return;
  }
  // Lane split: each row of a site is the same row of the full batch's masks (stream index
  // = its position in the full [L, sites, 2 BT, width] layout).
  const PT = 2 * BT;
  for (let t = 0; t < L; t++) {
    for (let site = 0; site <= NL; site++) {
      const w = site == 0 ? E : H;
      const local = t * P * maskWidth + (site == 0 ? 0 : P * E + (site - 1) * P * H);
      const global = t * PT * maskWidth + (site == 0 ? 0 : PT * E + (site - 1) * PT * H);
      for (let p = 0; p < P; p++) {
        const gp = p < B ? LANE0 + p : BT + LANE0 + (p - B);
        drawRun(fp(masks, local + p * w), w, rate, keep, seed, <u32>(global + gp * w));
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

@inline function maskAt(t: i32, site: i32, useMasks: bool): usize {
  if (!useMasks) return 0;
  const base = fp(masks, t * P * maskWidth);
  return site == 0 ? base : fp(base, P * E + (site - 1) * P * H);
}

// ---------------------------------------------------------------- forward

/**
 * One layer, one step, `lanes` rows: xin [lanes, in + H] (input then previous h),
 * cp previous c (LSTM), writes act [lanes, GH], h [lanes, H], c [lanes, H], gh (GRU).
 */
function layerForward(l: i32, lanes: i32, xin: usize, cp: usize, act: usize, hOut: usize, cOut: usize, gh: usize, tcOut: usize): void {
  const inSize = lt(l, LT_IN);
  const K = inSize + H;
  const GH = G * H;
  const w = fp(params, lt(l, LT_WIH));
  if (CELL == GRU) {
    const wp = ltp(l, LT_WP);
    gemmPanels(lanes, GH, inSize, xin, K, wp, K * 8, w, GH, act, GH, fp(params, lt(l, LT_BIH)));
    gemmPanels(lanes, GH, H, fp(xin, inSize), K, fp(wp, inSize * 8), K * 8, fp(params, lt(l, LT_WHH)), GH, gh, GH, fp(params, lt(l, LT_BHH)));
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
    return;
  }
  gemmPanels(lanes, GH, K, xin, K, ltp(l, LT_WP), K * 8, w, GH, act, GH, ltp(l, LT_BSUM));
  if (CELL == LSTM) {
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
  } else {
    if (CELL == RNN_TANH) tanhInPlace(act, lanes * H);
    else reluInPlace(act, lanes * H);
    memory.copy(hOut, act, <usize>(lanes * H) << 2);
  }
}

/** Decoder: out [lanes, C] = top @ Wd + bd (+ x when residual). */
function decode(lanes: i32, top: usize, x: usize, out: usize): void {
  dotRows(lanes, C, H, top, H, decWT, out, fp(params, offDecB));
  if (RESIDUAL) for (let i = 0; i < lanes * C; i++) st(out, i, ld(out, i) + ld(x, i));
}

/** The forward pass of a window (both lane groups), from the carried state. */
function forwardWindow(seq: usize, start: i32, L: i32, useMasks: bool): void {
  const BC = B * C;
  const PH = P * H;
  // Initial states: carried state for both lane groups.
  for (let l = 0; l < NL; l++) {
    const hs = ltp(l, LT_HS);
    const sh = fp(stateBuf, (l * 2) * B * H);
    memory.copy(hs, sh, <usize>(B * H) << 2);
    memory.copy(fp(hs, B * H), sh, <usize>(B * H) << 2);
    if (CELL == LSTM) {
      const cs = ltp(l, LT_CS);
      const sc = fp(stateBuf, (l * 2 + 1) * B * H);
      memory.copy(cs, sc, <usize>(B * H) << 2);
      memory.copy(fp(cs, B * H), sc, <usize>(B * H) << 2);
    }
  }
  for (let t = 0; t < L; t++) {
    const x = fp(xs, t * P * C);
    // Free-running lanes: the first input row, then the previous prediction.
    if (t == 0) memory.copy(x, fp(seq, (start + t) * BC), <usize>BC << 2);
    else memory.copy(x, fp(outs, (t - 1) * P * C), <usize>BC << 2);
    memory.copy(fp(x, BC), fp(seq, (start + t) * BC), <usize>BC << 2);
    // Encoder straight into layer 0's input columns, then its dropout.
    const K0 = E + H;
    const xin0 = fp(ltp(0, LT_XIN), t * P * K0);
    gemm(P, E, C, x, C, 1, fp(params, offEncW), E, xin0, K0, false, fp(params, offEncB));
    const m0 = maskAt(t, 0, useMasks);
    if (m0 != 0) copyRows(P, E, xin0, K0, xin0, K0, m0);
    for (let l = 0; l < NL; l++) {
      const inSize = lt(l, LT_IN);
      const K = inSize + H;
      const xin = fp(ltp(l, LT_XIN), t * P * K);
      const hs = ltp(l, LT_HS);
      copyRows(P, H, fp(hs, t * PH), H, fp(xin, inSize), K, 0);
      const cs = ltp(l, LT_CS);
      layerForward(l, P, xin, CELL == LSTM ? fp(cs, t * PH) : 0, fp(ltp(l, LT_ACT), t * P * G * H), fp(hs, (t + 1) * PH), CELL == LSTM ? fp(cs, (t + 1) * PH) : 0, CELL == GRU ? fp(ltp(l, LT_GH), t * P * G * H) : 0, CELL == LSTM ? fp(ltp(l, LT_TC), t * PH) : 0);
      const m = maskAt(t, l + 1, useMasks);
      if (l + 1 < NL) {
        const K1 = H + H;
        copyRows(P, H, fp(hs, (t + 1) * PH), H, fp(ltp(l + 1, LT_XIN), t * P * K1), K1, m);
      } else {
        copyRows(P, H, fp(hs, (t + 1) * PH), H, fp(tops, t * PH), H, m);
      }
    }
    decode(P, fp(tops, t * PH), x, fp(outs, t * P * C));
  }
  // Losses (f64 sums).
  let l1: f64 = 0, l2: f64 = 0, l3: f64 = 0;
  for (let t = 0; t < L; t++) {
    const o = fp(outs, t * P * C);
    const y = fp(seq, (start + t + 1) * BC);
    for (let i = 0; i < BC; i++) {
      const d1 = <f64>(ld(o, i) - ld(y, i));
      const d2 = <f64>(ld(o, BC + i) - ld(y, i));
      l1 += d1 * d1;
      l2 += d2 * d2;
    }
    const tp = fp(tops, t * PH);
    const h2 = freezeHidden ? fp(frozen, t * B * H) : fp(tp, B * H);
    for (let i = 0; i < B * H; i++) {
      const d3 = <f64>(ld(tp, i) - ld(h2, i));
      l3 += d3 * d3;
    }
  }
  store<f64>(terms, l1 / <f64>(L * BT * C));
  store<f64>(terms + 8, l2 / <f64>(L * BT * C));
  store<f64>(terms + 16, l3 / <f64>(L * BT * H));
  // Carry the teacher-forced lanes' final state.
  for (let l = 0; l < NL; l++) {
    memory.copy(fp(stateBuf, (l * 2) * B * H), fp(ltp(l, LT_HS), L * PH + B * H), <usize>(B * H) << 2);
    if (CELL == LSTM) memory.copy(fp(stateBuf, (l * 2 + 1) * B * H), fp(ltp(l, LT_CS), L * PH + B * H), <usize>(B * H) << 2);
  }
}

// ---------------------------------------------------------------- backward

/** Cell backward of layer l at step t: dh (total gradient on h_t) -> dz (and dgh), dcCarry, dhCarry (GRU direct term). */
function cellBackward(l: i32, t: i32): void {
  const GH = G * H;
  const PH = P * H;
  const act = fp(ltp(l, LT_ACT), t * P * GH);
  const dz = fp(ltp(l, LT_DZ), t * P * GH);
  if (CELL == LSTM) {
    const cs = ltp(l, LT_CS);
    const cp = fp(cs, t * PH);
    const tcs = fp(ltp(l, LT_TC), t * PH);
    const dcc = ltp(l, LT_DCC);
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
  } else if (CELL == GRU) {
    const inSize = lt(l, LT_IN);
    const K = inSize + H;
    const xin = fp(ltp(l, LT_XIN), t * P * K);
    const gh = fp(ltp(l, LT_GH), t * P * GH);
    const dgh = fp(ltp(l, LT_DGH), t * P * GH);
    const dhc = ltp(l, LT_DHC);
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
  } else {
    const hs = fp(ltp(l, LT_HS), (t + 1) * PH);
    for (let i = 0; i < P * H; i++) {
      const h = ld(hs, i);
      const g = ld(dh, i);
      st(dz, i, CELL == RNN_TANH ? g * (1 - h * h) : h > 0 ? g : <f32>0);
    }
  }
}

/** Backpropagation through the window (after forwardWindow with the same arguments): fills `grad`. */
function backwardWindow(seq: usize, start: i32, L: i32, useMasks: bool): void {
  const BC = B * C;
  const PH = P * H;
  const GH = G * H;
  memory.fill(grad, 0, <usize>NPARAMS << 2);
  for (let l = 0; l < NL; l++) {
    memory.fill(ltp(l, LT_DHC), 0, <usize>PH << 2);
    memory.fill(ltp(l, LT_DCC), 0, <usize>PH << 2);
  }
  const sOut = <f32>(2.0 / <f64>(L * BT * C));
  const sHid = <f32>(2.0 / <f64>(L * BT * H));
  for (let t = L - 1; t >= 0; t--) {
    const o = fp(outs, t * P * C);
    const y = fp(seq, (start + t + 1) * BC);
    const dout = fp(douts, t * P * C);
    for (let i = 0; i < BC; i++) {
      let g1 = sOut * (ld(o, i) - ld(y, i));
      if (t < L - 1) g1 += ld(dx, i); // the free-running prediction is the next step's input
      st(dout, i, g1);
      st(dout, BC + i, sOut * (ld(o, BC + i) - ld(y, i)));
    }
    gemm(P, H, C, dout, C, 1, decWT, H, dtop, H, false, 0);
    const top = fp(tops, t * PH);
    for (let i = 0; i < B * H; i++) st(dtop, i, ld(dtop, i) + sHid * (ld(top, i) - ld(top, B * H + i)));
    // Down the stack.
    maskedAdd(P, H, dtop, H, maskAt(t, NL, useMasks), ltp(NL - 1, LT_DHC), dh);
    for (let l = NL - 1; l >= 0; l--) {
      const inSize = lt(l, LT_IN);
      const K = inSize + H;
      cellBackward(l, t);
      const dz = fp(ltp(l, LT_DZ), t * P * GH);
      const wt = ltp(l, LT_WT);
      const dhc = ltp(l, LT_DHC);
      if (CELL == GRU) {
        gemmPanels(P, inSize, GH, dz, GH, ltp(l, LT_WTP), GH * 8, wt, K, dxin, K, 0);
        gemmPanels(P, H, GH, fp(ltp(l, LT_DGH), t * P * GH), GH, ltp(l, LT_WTP2), GH * 8, fp(wt, inSize), K, fp(dxin, inSize), K, 0);
        // dhCarry = direct term (written by cellBackward) + recurrent projection.
        for (let p = 0; p < P; p++) for (let j = 0; j < H; j++) st(dhc, p * H + j, ld(dhc, p * H + j) + ld(dxin, p * K + inSize + j));
      } else {
        gemmPanels(P, K, GH, dz, GH, ltp(l, LT_WTP), GH * 8, wt, K, dxin, K, 0);
        copyRows(P, H, fp(dxin, inSize), K, dhc, H, 0);
      }
      if (l > 0) maskedAdd(P, H, dxin, K, maskAt(t, l, useMasks), ltp(l - 1, LT_DHC), dh);
      else copyRows(P, E, dxin, K, fp(dencs, t * P * E), E, maskAt(t, 0, useMasks));
    }
    // Gradient on the model input (only the free-running lanes' is used, by step t - 1).
    dotRows(P, C, E, fp(dencs, t * P * E), E, fp(params, offEncW), dx, 0); // encoder.weight [C, E] is the transpose needed
    if (RESIDUAL) for (let i = 0; i < BC; i++) st(dx, i, ld(dx, i) + ld(dout, i));
  }
  // Weight gradients, batched over all steps and lanes: A^T @ D.
  const rows = L * P;
  gemmTN(C, E, rows, xs, C, dencs, E, fp(grad, offEncW), E);
  colsumAcc(rows, E, dencs, E, fp(grad, offEncB));
  for (let l = 0; l < NL; l++) {
    const inSize = lt(l, LT_IN);
    const K = inSize + H;
    const xin = ltp(l, LT_XIN);
    const dz = ltp(l, LT_DZ);
    if (CELL == GRU) {
      const dgh = ltp(l, LT_DGH);
      gemmTN(inSize, GH, rows, xin, K, dz, GH, fp(grad, lt(l, LT_WIH)), GH);
      gemmTN(H, GH, rows, fp(xin, inSize), K, dgh, GH, fp(grad, lt(l, LT_WHH)), GH);
      colsumAcc(rows, GH, dz, GH, fp(grad, lt(l, LT_BIH)));
      colsumAcc(rows, GH, dgh, GH, fp(grad, lt(l, LT_BHH)));
    } else {
      gemmTN(K, GH, rows, xin, K, dz, GH, fp(grad, lt(l, LT_WIH)), GH);
      colsumAcc(rows, GH, dz, GH, fp(grad, lt(l, LT_BIH)));
      memory.copy(fp(grad, lt(l, LT_BHH)), fp(grad, lt(l, LT_BIH)), <usize>GH << 2); // b_ih and b_hh get the same gradient
    }
  }
  outerAccSmallN(rows, C, H, tops, douts, fp(grad, offDecW), decScratch);
  colsumAcc(rows, C, douts, C, fp(grad, offDecB));
}

// ---------------------------------------------------------------- Adam

/** PyTorch's clip_grad_norm_ then Adam with the L2 term added to the (clipped) gradient. */
export function adamUpdate(lr: f64, weightDecay: f64, clip: f64, beta1: f64, beta2: f64, eps: f64, step: i32): void {
  let ss: f64 = 0;
  for (let i = 0; i < NPARAMS; i++) {
    const g = <f64>ld(grad, i);
    ss += g * g;
  }
  const norm = Math.sqrt(ss);
  const coef = <f32>Math.min(1.0, clip / (norm + 1e-6));
  const wd = <f32>weightDecay;
  const b1 = <f32>beta1, b2 = <f32>beta2, ob1 = <f32>(1 - beta1), ob2 = <f32>(1 - beta2);
  const stepSize = <f32>(lr / (1 - Math.pow(beta1, <f64>step)));
  const bc2 = <f32>Math.sqrt(1 - Math.pow(beta2, <f64>step));
  const e = <f32>eps;
  const vcoef = f32x4.splat(coef), vwd = f32x4.splat(wd), vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2);
  const vob1 = f32x4.splat(ob1), vob2 = f32x4.splat(ob2), vstep = f32x4.splat(stepSize), vbc2 = f32x4.splat(bc2), veps = f32x4.splat(e);
  let i = 0;
  for (; i + 4 <= NPARAMS; i += 4) {
    const p = v128.load(fp(params, i));
    const g = f32x4.add(f32x4.mul(v128.load(fp(grad, i)), vcoef), f32x4.mul(p, vwd));
    const m = f32x4.add(f32x4.mul(v128.load(fp(adamM, i)), vb1), f32x4.mul(g, vob1));
    const v = f32x4.add(f32x4.mul(v128.load(fp(adamV, i)), vb2), f32x4.mul(f32x4.mul(g, g), vob2));
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(v), vbc2), veps);
    v128.store(fp(adamM, i), m);
    v128.store(fp(adamV, i), v);
    v128.store(fp(params, i), f32x4.sub(p, f32x4.mul(f32x4.div(m, denom), vstep)));
  }
  for (; i < NPARAMS; i++) {
    const p = ld(params, i);
    const g = ld(grad, i) * coef + p * wd;
    const m = ld(adamM, i) * b1 + g * ob1;
    const v = ld(adamV, i) * b2 + g * g * ob2;
    const denom = Mathf.sqrt(v) / bc2 + e;
    st(adamM, i, m);
    st(adamV, i, v);
    st(params, i, p - (m / denom) * stepSize);
  }
  prepare();
}

// ---------------------------------------------------------------- entry points

/**
 * For the numerical gradient check: copy the teacher-forced lanes' top outputs (h2) of the
 * last forward pass, and (on) use that copy as the hidden-matching target of later passes,
 * i.e. the stop-gradient target held fixed while the parameters are perturbed.
 */
export function freezeHiddenTargets(L: i32, on: bool): void {
  if (on) for (let t = 0; t < L; t++) memory.copy(fp(frozen, t * B * H), fp(tops, t * P * H + B * H), <usize>(B * H) << 2);
  freezeHidden = on;
}

/**
 * Loss terms (-> termsPtr, f64 x3) and gradient (-> gradPtr) of one window of `L` steps
 * of the batchified series at `seq` ([steps, B, C]) starting at row `start`, from the
 * carried state; the state is then advanced. dropout > 0 draws the masks from `maskSeed`.
 */
export function lossAndGrad(seq: usize, start: i32, L: i32, dropout: f64, maskSeed: u32): void {
  const useMasks = dropout > 0;
  if (useMasks) drawMasks(L, dropout, maskSeed);
  forwardWindow(seq, start, L, useMasks);
  backwardWindow(seq, start, L, useMasks);
}

/** A training window: lossAndGrad + clip + Adam (step = the new Adam step, from 1). */
export function trainWindow(seq: usize, start: i32, L: i32, dropout: f64, maskSeed: u32, lr: f64, weightDecay: f64, clip: f64, beta1: f64, beta2: f64, eps: f64, step: i32): void {
  lossAndGrad(seq, start, L, dropout, maskSeed);
  adamUpdate(lr, weightDecay, clip, beta1, beta2, eps, step);
}

/** Eval-mode loss of one window (no dropout, no gradient); the state is advanced. */
export function evalWindow(seq: usize, start: i32, L: i32): void {
  forwardWindow(seq, start, L, false);
}

// ---------------------------------------------------------------- forecast (eval mode)

let fChunk = 0, fHorizon = 0;
let fIn: usize = 0, fPredA: usize = 0, fPredB: usize = 0, fAct: usize = 0, fGh: usize = 0, fOutBuf: usize = 0, fState: usize = 0;
let fTab: usize = 0; // per layer: xin [chunk, K], xinRow [1, K], hA, cA, hB, cB [chunk, H]
const FT_XIN = 0, FT_XROW = 1, FT_HA = 2, FT_CA = 3, FT_HB = 4, FT_CB = 5, FT_SIZE = 6;
@inline function ftp(l: i32, k: i32): usize {
  return <usize>load<i32>(fTab + (<usize>(l * FT_SIZE + k) << 2));
}

/** Buffers of the batched forecast: `chunk` rows at a time, `horizon` steps. Once per kernel. */
export function forecastInit(chunk: i32, horizon: i32): usize {
  fChunk = chunk; fHorizon = horizon;
  const GH = G * H;
  fIn = allocF(chunk * C); fPredA = allocF(chunk * C); fPredB = allocF(chunk * C);
  fAct = allocF(chunk * GH); fGh = allocF(chunk * GH);
  fOutBuf = allocF(chunk * horizon * C);
  fState = allocF(NL * 2 * H);
  fTab = alloc(NL * FT_SIZE * 4);
  for (let l = 0; l < NL; l++) {
    const K = lt(l, LT_IN) + H;
    const base = fTab + (<usize>(l * FT_SIZE) << 2);
    store<i32>(base + (FT_XIN << 2), <i32>allocF(chunk * K));
    store<i32>(base + (FT_XROW << 2), <i32>allocF(K));
    store<i32>(base + (FT_HA << 2), <i32>allocF(chunk * H));
    store<i32>(base + (FT_CA << 2), <i32>allocF(chunk * H));
    store<i32>(base + (FT_HB << 2), <i32>allocF(chunk * H));
    store<i32>(base + (FT_CB << 2), <i32>allocF(chunk * H));
  }
  return fOutBuf;
}
export function forecastInputPtr(): usize { return fIn; }
export function forecastResetState(): void {
  memory.fill(fState, 0, <usize>(NL * 2 * H) << 2);
}

/**
 * Reference section 5 for `n` <= chunk rows (at forecastInputPtr, [n, C]): a teacher-forced
 * pass (one row at a time, carrying the forecast state) records each row's 1-step
 * prediction and state, then horizon - 1 free-running steps for all n rows at once.
 * Output at the returned pointer: [(t * horizon + k - 1) * C + c].
 */
export function forecastChunk(n: i32): void {
  const W = fHorizon;
  const K0 = E + H;
  // Teacher-forced pass, one row at a time.
  for (let t = 0; t < n; t++) {
    const x = fp(fIn, t * C);
    const xr0 = ftp(0, FT_XROW);
    gemm(1, E, C, x, C, 1, fp(params, offEncW), E, xr0, K0, false, fp(params, offEncB));
    for (let l = 0; l < NL; l++) {
      const inSize = lt(l, LT_IN);
      const K = inSize + H;
      const xr = ftp(l, FT_XROW);
      const hA = ftp(l, FT_HA);
      const cA = ftp(l, FT_CA);
      const hp = t == 0 ? fp(fState, l * 2 * H) : fp(hA, (t - 1) * H);
      const cp = t == 0 ? fp(fState, (l * 2 + 1) * H) : fp(cA, (t - 1) * H);
      memory.copy(fp(xr, inSize), hp, <usize>H << 2);
      layerForward(l, 1, xr, cp, fAct, fp(hA, t * H), fp(cA, t * H), fGh, 0);
      if (l + 1 < NL) memory.copy(ftp(l + 1, FT_XROW), fp(hA, t * H), <usize>H << 2);
    }
    decode(1, fp(ftp(NL - 1, FT_HA), t * H), x, fp(fPredA, t * C));
    for (let c = 0; c < C; c++) st(fOutBuf, t * W * C + c, ld(fPredA, t * C + c));
  }
  for (let l = 0; l < NL; l++) {
    memory.copy(fp(fState, l * 2 * H), fp(ftp(l, FT_HA), (n - 1) * H), <usize>H << 2);
    memory.copy(fp(fState, (l * 2 + 1) * H), fp(ftp(l, FT_CA), (n - 1) * H), <usize>H << 2);
  }
  // Free-running continuation, all rows at once.
  let input = fPredA;
  let output = fPredB;
  let useA = true;
  for (let k = 2; k <= W; k++) {
    const xin0 = ftp(0, FT_XIN);
    gemm(n, E, C, input, C, 1, fp(params, offEncW), E, xin0, K0, false, fp(params, offEncB));
    for (let l = 0; l < NL; l++) {
      const inSize = lt(l, LT_IN);
      const K = inSize + H;
      const xin = ftp(l, FT_XIN);
      const hCur = useA ? ftp(l, FT_HA) : ftp(l, FT_HB);
      const cCur = useA ? ftp(l, FT_CA) : ftp(l, FT_CB);
      const hNext = useA ? ftp(l, FT_HB) : ftp(l, FT_HA);
      const cNext = useA ? ftp(l, FT_CB) : ftp(l, FT_CA);
      copyRows(n, H, hCur, H, fp(xin, inSize), K, 0);
      layerForward(l, n, xin, cCur, fAct, hNext, cNext, fGh, 0);
      if (l + 1 < NL) copyRows(n, H, hNext, H, ftp(l + 1, FT_XIN), H + H, 0);
    }
    useA = !useA;
    decode(n, useA ? ftp(NL - 1, FT_HA) : ftp(NL - 1, FT_HB), input, output);
    for (let t = 0; t < n; t++) for (let c = 0; c < C; c++) st(fOutBuf, (t * W + k - 1) * C + c, ld(output, t * C + c));
    const swap = input;
    input = output;
    output = swap;
  }
}
