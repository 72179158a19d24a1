// Memory layout of a kernel instance: the model's sizes, the flat parameter vector with its
// named offsets, and every buffer of a training window, allocated once by `allocate` (the
// exported `init`). State lives in a few static structures (static fields are WebAssembly
// globals: no indirection) and, per layer, in a `Layer` record in linear memory.
import { alloc, allocF } from './memory';
import { reservePackedRows } from './gemm';

/** Cell codes: CELL_CODES in ../src/fused/forecast-kernel.ts. */
export const LSTM = 0;
export const GRU = 1;
export const RNN_TANH = 2;
export const RNN_RELU = 3;

/** Model sizes (set once by allocate). */
export class Dims {
  /** Channels C, embedding E, hidden H, layers. */
  static C: i32 = 0;
  static E: i32 = 0;
  static H: i32 = 0;
  static layers: i32 = 0;
  static cell: i32 = 0;
  /** Gate blocks per layer G (pre-activation width G * H). */
  static gates: i32 = 0;
  static residual: bool = false;
  /** Length of the flat parameter vector. */
  static count: i32 = 0;
}

/**
 * Lanes of a window: B per lane group, P = 2B rows (free-running lanes first, then
 * teacher-forced), windows of at most maxSteps steps. Lane split (two threads,
 * ../src/fused/threads.ts): this instance holds lanes [offset, offset + B) of a batch of
 * `total` lanes per lane group; the loss means are over all `total` lanes (so the
 * instances' gradients and terms sum to the full batch's) and the dropout masks are those
 * of the same lanes in the full batch. Unsplit: total == B, offset == 0.
 */
export class Lanes {
  static B: i32 = 0;
  static P: i32 = 0;
  static maxSteps: i32 = 0;
  static total: i32 = 0;
  static offset: i32 = 0;
}

/**
 * The flat parameter vector (layout = parameterLayout() of ../src/rnn-model.ts), its
 * gradient and Adam moments, the float offsets of the encoder and decoder in it, and
 * derived copies (transposes) recomputed by prepare() after every parameter change.
 */
export class Params {
  static values: usize = 0;
  static grad: usize = 0;
  static adamM: usize = 0;
  static adamV: usize = 0;
  /** encoder.weight [C, E], encoder.bias [E], decoder.weight [H, C], decoder.bias [C]. */
  static encW: i32 = 0;
  static encB: i32 = 0;
  static decW: i32 = 0;
  static decB: i32 = 0;
  /** encoder.weight^T [E, C] and decoder.weight^T [C, H]. */
  static encWT: usize = 0;
  static decWT: usize = 0;
}

/** Buffers of a window of L <= maxSteps steps (rows per step: P lanes). */
export class Win {
  /** Model inputs [L, P, C]; predictions [L, P, C] and their gradient. */
  static xs: usize = 0;
  static outs: usize = 0;
  static douts: usize = 0;
  /** Top layer outputs after the output dropout [L, P, H]; encoder output gradient [L, P, E]. */
  static tops: usize = 0;
  static dencs: usize = 0;
  /** Dropout masks [L, sites, P, width] (site 0: encoder output E, site l + 1: layer l's output H). */
  static masks: usize = 0;
  static maskWidth: i32 = 0;
  /** Per-step scratch: gradient on the top output [P, H], on a layer's [input, h_prev] [P, max(E, H) + H], on the model input [P, C], on h_t [P, H]. */
  static dtop: usize = 0;
  static dxin: usize = 0;
  static dx: usize = 0;
  static dh: usize = 0;
  /** Carried state (teacher-forced lanes): per layer [h; c], each [B, H]. */
  static state: usize = 0;
  /** Scratch of the decoder's weight gradient [C, H]. */
  static decScratch: usize = 0;
}

/**
 * Per-layer buffers and parameter offsets (a record in linear memory; fields are read
 * with constant offsets). Parameter offsets are in floats into Params.values / grad; the
 * rest are addresses. K = inSize + H, GH = gates * H. 0 = not used by this cell type.
 */
@unmanaged export class Layer {
  inSize: i32;
  /** weight_ih [in, GH] directly followed by weight_hh [H, GH] (stacked [K, GH]), bias_ih, bias_hh [GH]. */
  wih: i32;
  whh: i32;
  bih: i32;
  bhh: i32;
  /** [W_ih; W_hh]^T [GH, K]. */
  wt: usize;
  /** Panel copies (pack8) of [W_ih; W_hh] and of its transpose (GRU: input columns, and hidden columns in wtp2). */
  wp: usize;
  wtp: usize;
  wtp2: usize;
  /** bias_ih + bias_hh [GH] (cells with one pre-activation product). */
  bsum: usize;
  /** Per step: [input, h_prev] rows [L, P, K], gate activations [L, P, GH], h [L + 1, P, H] (row 0: initial). */
  xin: usize;
  act: usize;
  hs: usize;
  /** LSTM: c [L + 1, P, H] and tanh(c) [L, P, H]. */
  cs: usize;
  tc: usize;
  /** GRU: hidden-side pre-activations W_hh h + b_hh [L, P, GH] and their gradient. */
  gh: usize;
  dgh: usize;
  /** Gradient on the pre-activations [L, P, GH]. */
  dz: usize;
  /** Gradients carried to step t - 1: on h [P, H] and on c [P, H]. */
  dhc: usize;
  dcc: usize;
}

let layerTab: usize = 0;

@inline export function layer(l: i32): Layer {
  return changetype<Layer>(layerTab + <usize>l * offsetof<Layer>());
}

/** `buf` + index floats, or 0 for an unused buffer. */
@inline export function at(buf: usize, index: i32): usize {
  return buf == 0 ? 0 : buf + (<usize>index << 2);
}

/**
 * Sizes, then the buffers every cell type uses for a window of up to `maxSteps` steps and
 * `b` lanes per lane group (a cell's own buffers: cellAllocate in ./cells.ts). Returns the
 * number of parameters.
 */
export function allocate(c: i32, e: i32, h: i32, n: i32, cell: i32, gates: i32, residual: bool, b: i32, maxSteps: i32): i32 {
  Dims.C = c; Dims.E = e; Dims.H = h; Dims.layers = n; Dims.cell = cell; Dims.residual = residual;
  Lanes.B = b; Lanes.P = 2 * b; Lanes.maxSteps = maxSteps;
  Lanes.total = b; Lanes.offset = 0;
  const G = gates;
  Dims.gates = G;
  const GH = G * h;
  const P = 2 * b;
  const L = maxSteps;
  layerTab = alloc(n * <i32>offsetof<Layer>());
  let off = 0;
  Params.encW = off; off += c * e;
  Params.encB = off; off += e;
  for (let l = 0; l < n; l++) {
    const ly = layer(l);
    const inSize = l == 0 ? e : h;
    ly.inSize = inSize;
    ly.wih = off; off += inSize * GH;
    ly.whh = off; off += h * GH;
    ly.bih = off; off += GH;
    ly.bhh = off; off += GH;
  }
  Params.decW = off; off += h * c;
  Params.decB = off; off += c;
  Dims.count = off;
  Params.values = allocF(off); Params.grad = allocF(off); Params.adamM = allocF(off); Params.adamV = allocF(off);
  Params.encWT = allocF(e * c); Params.decWT = allocF(c * h);
  Win.xs = allocF(L * P * c); Win.outs = allocF(L * P * c); Win.douts = allocF(L * P * c);
  Win.tops = allocF(L * P * h); Win.dencs = allocF(L * P * e);
  Win.maskWidth = e + n * h;
  Win.masks = allocF(L * P * Win.maskWidth);
  Win.dtop = allocF(P * h); Win.dx = allocF(P * c); Win.dh = allocF(P * h);
  const maxIn = e > h ? e : h;
  Win.dxin = allocF(P * (maxIn + h));
  Win.state = allocF(n * 2 * b * h);
  Win.decScratch = allocF(c * h);
  for (let l = 0; l < n; l++) {
    const ly = layer(l);
    const K = ly.inSize + h;
    ly.wt = allocF(GH * K);
    ly.xin = allocF(L * P * K);
    ly.act = allocF(L * P * GH);
    ly.hs = allocF((L + 1) * P * h);
    ly.dz = allocF(L * P * GH);
    ly.dhc = allocF(P * h);
    ly.dcc = allocF(P * h);
    ly.wp = allocF(K * GH);
  }
  // gemmPanels' row packing: the forward products ([P, K]) and the projections back ([P, GH]).
  reservePackedRows(P, maxIn + h > GH ? maxIn + h : GH);
  return off;
}
